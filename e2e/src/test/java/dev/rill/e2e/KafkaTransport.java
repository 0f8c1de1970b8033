package dev.rill.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import dev.rill.binder.redis.test.RedisServerProcess;
import dev.rill.e2e.faults.KafkaEventLog;
import dev.rill.e2e.platform.Platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Spring Cloud Stream's Kafka binder (profile {@code kafka}) on a single-node KRaft broker
 * embedded in the test JVM; the services keep their state in a private Redis as before. Topics
 * are not created here: the binder provisions them (and the dead-letter topics) as the bindings
 * start, as it would against a real cluster.
 * @param broker the broker, also for its admin client
 * @param events reads the topics and the groups' offsets
 * @param redis the redis-server of the services' state
 */
record KafkaTransport(EmbeddedKafkaKraftBroker broker, KafkaEventLog events, RedisServerProcess redis)
		implements SagaTransport {

	/** The consumer groups of the saga, per topic. */
	private static final Map<String, List<String>> GROUPS = Map.of("orders", List.of("inventory", "order-view"),
			"stock", List.of("order"), "order-status", List.of("notification"));

	/**
	 * @return a transport on a broker started for it, with a redis-server for the services' state
	 */
	static KafkaTransport start() {
		EmbeddedKafkaKraftBroker kafka = new EmbeddedKafkaKraftBroker(1, 1);
		kafka.brokerProperty("group.initial.rebalance.delay.ms", "0");
		kafka.afterPropertiesSet();
		KafkaEventLog events = new KafkaEventLog(kafka.getBrokersAsString(), GROUPS);
		try {
			return new KafkaTransport(kafka, events, RedisServerProcess.builder().build().start());
		}
		catch (RuntimeException ex) {
			// No transport to close yet: the broker would outlive the test class.
			events.close();
			kafka.destroy();
			throw ex;
		}
	}

	@Override
	public String name() {
		return "kafka";
	}

	@Override
	public Platform.Builder configure(Platform.Builder services) {
		return services.redis(this.redis.host(), this.redis.port()).kafka(this.broker.getBrokersAsString());
	}

	/** Every group has committed up to the end of its topic. */
	@Override
	public void awaitDrained(Duration timeout) {
		await().atMost(timeout).pollInterval(POLL_INTERVAL).untilAsserted(() -> {
			GROUPS.forEach((topic, groups) -> groups.forEach(group -> assertThat(this.events.unacknowledged(topic, group))
				.as("lag of group %s on %s", group, topic).isZero()));
		});
	}

	/** No dead-letter topic holds a record. */
	@Override
	public void assertNoDeadLetters() {
		// Dead letters (error.<destination>.<group>, created when the first one is sent) or any
		// other topic the services wrote to besides the saga's: there must be none with records.
		assertThat(this.events.records(name -> !GROUPS.containsKey(name) && !name.startsWith("__")))
			.as("records in other topics than the saga's")
			.allSatisfy((topic, records) -> assertThat(records).as(topic).isZero());
	}

	/** Stop Redis, then the event log's clients and the broker. */
	@Override
	public void close() {
		try {
			this.redis.close();
			this.events.close();
		}
		finally {
			this.broker.destroy();
		}
	}

}
