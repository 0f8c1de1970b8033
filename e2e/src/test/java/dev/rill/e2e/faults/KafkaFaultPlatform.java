package dev.rill.e2e.faults;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import dev.rill.binder.redis.test.RedisServerProcess;
import dev.rill.e2e.platform.Platform;

/**
 * The platform of the fault tests on the Kafka binder, started once for all of them (the
 * broker and three service JVMs take ~30 s on two cores): a single-node KRaft broker embedded
 * in the test JVM, a private redis-server for the services' state, and the three services with
 * {@code --spring.profiles.active=kafka}. The topics, their consumer groups and the dead-letter
 * topics are provisioned by the binder as the bindings start.
 * <p>
 * Settings that differ from the deployed defaults, and why:
 * <ul>
 * <li>consumers' {@code session.timeout.ms 10000} (Kafka's default 45 s): a service restarted
 * after {@code kill -9} gets its partitions only once the broker has given up on the dead
 * member; the Redis suite's counterpart is {@code claim-idle-time 10s};</li>
 * <li>the broker's {@code group.initial.rebalance.delay.ms 0}: a group (re)forms at once;</li>
 * <li>health details shown, for the failure messages.</li>
 * </ul>
 * A JUnit extension, like {@link FaultPlatform}: a test method gets it as a parameter; after
 * each test every service that is down or unhealthy is started again.
 */
final class KafkaFaultPlatform extends AbstractFaultPlatform<KafkaFaultPlatform> {

	private final EmbeddedKafkaKraftBroker kafka;

	/** Used by JUnit to create the extension; the shared state is {@link #shared}. */
	KafkaFaultPlatform() {
		super(KafkaFaultPlatform.class, KafkaFaultPlatform::start);
		this.kafka = null;
	}

	private KafkaFaultPlatform(EmbeddedKafkaKraftBroker kafka, RedisServerProcess redisServer, Platform platform) {
		super(KafkaFaultPlatform.class, KafkaFaultPlatform::start, redisServer, platform,
				new KafkaEventLog(kafka.getBrokersAsString(), FaultOracle.GROUPS));
		this.kafka = kafka;
	}

	private static KafkaFaultPlatform start() {
		EmbeddedKafkaKraftBroker kafka = new EmbeddedKafkaKraftBroker(1, 1);
		kafka.brokerProperty("group.initial.rebalance.delay.ms", "0");
		kafka.afterPropertiesSet();
		RedisServerProcess redis = RedisServerProcess.builder().build().start();
		Platform platform = services(redis, "kafka-faults")
			.kafka(kafka.getBrokersAsString())
			.property("spring.cloud.stream.kafka.binder.consumer-properties.session.timeout.ms", "10000")
			// Three service JVMs starting at once next to the broker: more than one at a time needs.
			.startupTimeout(STARTUP.multipliedBy(2))
			.build();
		return SharedPlatform.started(new KafkaFaultPlatform(kafka, redis, platform), platform::start);
	}

	/** The broker, after the services and Redis. */
	@Override
	void closeTransport() {
		this.kafka.destroy();
	}

}
