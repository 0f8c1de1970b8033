package dev.rill.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import dev.rill.binder.redis.test.RedisServerProcess;
import dev.rill.e2e.faults.KafkaEventLog;
import dev.rill.e2e.platform.Platform;
import dev.rill.e2e.platform.RillClient;
import dev.rill.e2e.platform.RillClient.Item;
import dev.rill.e2e.platform.RillClient.OrderRequest;
import dev.rill.e2e.platform.RillClient.Placement;
import dev.rill.e2e.platform.RillClient.StockLevel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The same saga over Spring Cloud Stream's Kafka binder (profile {@code kafka}), on a
 * single-node KRaft broker embedded in the test JVM. The services keep their state in a
 * private Redis as before; only the transport changes, by configuration alone.
 */
class KafkaSagaTests extends SagaTests {

	/** The consumer groups of the saga, per topic. */
	private static final Map<String, List<String>> GROUPS = Map.of("orders", List.of("inventory", "order-view"),
			"stock", List.of("order"), "order-status", List.of("notification"));

	private static EmbeddedKafkaKraftBroker kafka;

	private static RedisServerProcess redis;

	private static Platform platform;

	private static KafkaEventLog events;

	@BeforeAll
	static void startPlatform() {
		// Topics are not created here: the binder provisions them (and the dead-letter topics)
		// as the bindings start, as it would against a real cluster.
		kafka = new EmbeddedKafkaKraftBroker(1, 1);
		kafka.brokerProperty("group.initial.rebalance.delay.ms", "0");
		kafka.afterPropertiesSet();
		events = new KafkaEventLog(kafka.getBrokersAsString(), GROUPS);
		redis = RedisServerProcess.builder().build().start();
		platform = Platform.builder(ROOT)
			.redis(redis.host(), redis.port())
			.kafka(kafka.getBrokersAsString())
			.logDirectory(output(KafkaSagaTests.class))
			.build()
			.start();
	}

	@AfterAll
	static void stopPlatform() {
		if (platform != null) {
			platform.stop();
		}
		if (redis != null) {
			redis.close();
		}
		if (events != null) {
			events.close();
		}
		if (kafka != null) {
			kafka.destroy();
		}
	}

	@Override
	protected Platform platform() {
		return platform;
	}

	@Override
	protected String transport() {
		return "kafka";
	}

	/**
	 * Every group has committed up to the end of its topic, and no dead-letter topic holds a record.
	 */
	@Override
	protected void awaitTransportIdle(Duration timeout) {
		await().atMost(timeout).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
			GROUPS.forEach((topic, groups) -> groups.forEach(group -> assertThat(events.unacknowledged(topic, group))
				.as("lag of group %s on %s", group, topic).isZero()));
		});
		// Dead letters (error.<destination>.<group>, created when the first one is sent) or any
		// other topic the services wrote to besides the saga's: there must be none with records.
		assertThat(events.records(name -> !GROUPS.containsKey(name) && !name.startsWith("__")))
			.as("records in other topics than the saga's")
			.allSatisfy((topic, records) -> assertThat(records).as(topic).isZero());
	}

	/**
	 * Events sent while a named group does not exist yet are not skipped: the Kafka binder starts a
	 * new named group at the earliest offset ({@code startOffset}), as the Redis binder does.
	 * inventory-app is stopped, its group deleted, orders placed, and only then inventory-app
	 * started again: it reads the whole topic (the saga's events too, if that test ran first:
	 * handled again, idempotently) and decides the new orders.
	 */
	@Test
	void aNewNamedGroupStartsAtTheEarliestOffset() {
		RillClient client = platform.client();
		client.setStock("fig", 5);
		platform.inventory().stop();
		kafka.doWithAdmin(admin -> await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.ignoreExceptions()
			.untilAsserted(() -> admin.deleteConsumerGroups(List.of("inventory")).all().get()));

		List<String> orderIds = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			Placement placement = client.placeOrder(
					new OrderRequest("c-early", "early@example.com", List.of(new Item("fig", 1))), null, "kafka-early-" + i);
			assertThat(placement.status()).as("placing order %d while inventory-app is down", i).isEqualTo(202);
			orderIds.add(placement.orderId());
		}

		platform.inventory().start().awaitHealthy(Duration.ofMinutes(2));
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			for (String orderId : orderIds) {
				assertThat(client.order(orderId)).as("order %s", orderId).hasValueSatisfying(
						order -> assertThat(order.status()).isEqualTo("CONFIRMED"));
				assertThat(client.notifications(orderId)).as("notifications of %s", orderId).hasSize(1);
			}
		});
		awaitTransportIdle(Duration.ofSeconds(60));
		for (String orderId : orderIds) {
			assertThat(client.notifications(orderId)).as("notifications of %s", orderId).hasSize(1);
		}
		assertThat(client.stock("fig")).hasValue(new StockLevel("fig", 0, 5));
	}

}
