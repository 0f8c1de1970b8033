package dev.rill.binder.redis.metrics;

import java.util.List;
import java.util.function.Consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.rill.binder.redis.StartedApplications;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The binder's Micrometer meters have the values a known sequence of sends, successes,
 * retries, failures and dead letters implies, tagged by destination and group.
 */
class BinderMetricsTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	@RegisterExtension
	final StartedApplications applications = new StartedApplications(redis);

	private ConfigurableApplicationContext application;

	@Test
	void consumerCountersAndHandlerTimerAfterSuccessesARetriedPoisonAndItsDeadLetter() {
		start("spring.cloud.stream.bindings.sink-in-0.group=dlq-workers",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.enable-dlq=true");
		send("ok-1", "ok-2", "poison", "ok-3");

		MeterRegistry meters = this.application.getBean(MeterRegistry.class);
		await().until(() -> count(meters, "dead.lettered", "dlq-workers") == 1);
		assertThat(count(meters, "consumed", "dlq-workers")).isEqualTo(3);
		assertThat(count(meters, "retried", "dlq-workers")).as("max-attempts 2: one retry").isEqualTo(1);
		assertThat(count(meters, "failed", "dlq-workers")).as("recovered by the dead letter").isZero();
		assertThat(meters.get("redis.streams.consumer.handler").tag("group", "dlq-workers").timer().count())
			.as("3 successes and 2 attempts of the poison").isEqualTo(5);
		assertThat(meters.get("redis.streams.producer.sent").tag("destination", "work").counter().count())
			.isEqualTo(4);
	}

	@Test
	void failedCountsAFailureThatNoDeadLetterStreamTookAndThatWasAcknowledged() {
		start("spring.cloud.stream.bindings.sink-in-0.group=plain-workers");
		send("poison", "ok-1");

		MeterRegistry meters = this.application.getBean(MeterRegistry.class);
		await().until(() -> count(meters, "consumed", "plain-workers") == 1);
		await().until(() -> count(meters, "failed", "plain-workers") == 1);
		assertThat(count(meters, "dead.lettered", "plain-workers")).isZero();
	}

	@Test
	void claimedAndTrimmedCountWhatTheClaimerTookFromADeadConsumerAndWhatTrimmingHadDeleted() {
		redis.server().command("XGROUP", "CREATE", "work", "claim-workers", "0", "MKSTREAM");
		String deleted = redis.server().command("XADD", "work", "*", "payload", "gone", "contentType", "text/plain");
		redis.server().command("XADD", "work", "*", "payload", "ok-1", "contentType", "text/plain");
		redis.server().command("XREADGROUP", "GROUP", "claim-workers", "dead", "COUNT", "2", "STREAMS", "work", ">");
		redis.server().command("XDEL", "work", deleted);

		start("spring.cloud.stream.bindings.sink-in-0.group=claim-workers",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.claim-idle-time=500ms",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.claim-interval=100ms");

		MeterRegistry meters = this.application.getBean(MeterRegistry.class);
		await().until(() -> count(meters, "consumed", "claim-workers") == 1);
		// Redis 7 drops the deleted entry while claiming it; 6.2 claims it and the consumer
		// finds it empty: trimmed counts it once either way, claimed counts what was moved.
		await().until(() -> count(meters, "trimmed", "claim-workers") == 1);
		assertThat(count(meters, "claimed", "claim-workers")).isBetween(1.0, 2.0);
	}

	@Test
	void lagAndPendingGaugesFollowTheGroupOnTheirRefreshInterval() {
		start("spring.cloud.stream.bindings.sink-in-0.group=slow-workers",
				"spring.cloud.stream.bindings.sink-in-0.consumer.auto-startup=false",
				"spring.cloud.stream.redis.binder.metrics-refresh-interval=100ms");
		for (int i = 0; i < 5; i++) {
			redis.server().command("XADD", "work", "*", "payload", "m" + i);
		}
		MeterRegistry meters = this.application.getBean(MeterRegistry.class);
		await().until(() -> gauge(meters, "lag") == 5 && gauge(meters, "pending") == 0);

		redis.server().command("XREADGROUP", "GROUP", "slow-workers", "other", "COUNT", "2", "STREAMS", "work", ">");

		await().until(() -> gauge(meters, "lag") == 3 && gauge(meters, "pending") == 2);
	}

	@Test
	void sendFailuresCountSyncSendsRedisDidNotConfirm() {
		start("spring.cloud.stream.redis.bindings.work-out.producer.sync=true",
				"spring.cloud.stream.redis.bindings.work-out.producer.send-timeout=300ms");
		send("before");
		redis.stop();

		assertThatThrownBy(() -> send("during")).hasStackTraceContaining("Failed to send to stream 'work'");

		MeterRegistry meters = this.application.getBean(MeterRegistry.class);
		assertThat(meters.get("redis.streams.producer.send.failures").tag("destination", "work").counter().count())
			.isEqualTo(1);
		assertThat(meters.get("redis.streams.producer.sent").tag("destination", "work").counter().count())
			.isEqualTo(1);
	}

	private void start(String... extra) {
		this.application = this.applications.start(SinkApplication.class,
				List.of("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=work",
				"spring.cloud.stream.bindings.sink-in-0.consumer.max-attempts=2",
				"spring.cloud.stream.bindings.sink-in-0.consumer.back-off-initial-interval=10",
				"spring.cloud.stream.output-bindings=work-out",
				"spring.cloud.stream.bindings.work-out.destination=work"), extra);
	}

	private void send(String... payloads) {
		StreamBridge bridge = this.application.getBean(StreamBridge.class);
		for (String payload : payloads) {
			bridge.send("work-out", payload);
		}
	}

	private static double count(MeterRegistry meters, String name, String group) {
		var counter = Search.in(meters).name("redis.streams.consumer." + name).tag("group", group).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static double gauge(MeterRegistry meters, String name) {
		var gauge = Search.in(meters).name("redis.streams.consumer." + name).tag("group", "slow-workers").gauge();
		return (gauge != null) ? gauge.value() : -1;
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class SinkApplication {

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

		@Bean
		Consumer<String> sink() {
			return payload -> {
				if (payload.equals("poison")) {
					throw new IllegalStateException("poison");
				}
			};
		}

	}

}
