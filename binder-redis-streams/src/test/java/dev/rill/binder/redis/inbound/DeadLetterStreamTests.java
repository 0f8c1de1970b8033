package dev.rill.binder.redis.inbound;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.rill.binder.redis.StartedApplications;
import dev.rill.binder.redis.TestApplications;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code enable-dlq}, an entry whose handling failed for good is written to the
 * dead-letter stream with the reason in its headers, and only then acknowledged. Oracle:
 * every entry sent is either handled or in the dead-letter stream; pending ends at 0,
 * except when the dead letter cannot be written, where the entry stays pending.
 */
class DeadLetterStreamTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	static final List<String> handled = new CopyOnWriteArrayList<>();

	@RegisterExtension
	final StartedApplications applications = new StartedApplications(redis);

	private ConfigurableApplicationContext application;

	@BeforeEach
	void clean() {
		handled.clear();
	}

	@Test
	void poisonEntryIsTriedMaxAttemptsTimesThenDeadLetteredWithItsReasonWhileTheRestFlows() {
		this.application = start();
		String poisonId = xadd("poison");
		xadd("fine");

		await().atMost(Duration.ofSeconds(10)).until(() -> handled.contains("fine") && dlqLength() == 1);

		assertThat(handled).filteredOn("poison"::equals).hasSize(3);
		Map<String, String> deadLetter = firstDeadLetter();
		assertThat(deadLetter).containsEntry("payload", "poison")
			.containsEntry("contentType", "text/plain")
			.containsEntry("x-exception-fqcn", IllegalStateException.class.getName())
			.containsEntry("x-exception-message", "cannot handle poison")
			.containsEntry("x-original-stream", "work")
			.containsEntry("x-original-entry-id", poisonId)
			.containsEntry("x-original-group", "workers")
			.containsEntry("x-delivery-count", "1")
			.containsKeys("x-failed-at", "x-exception-stacktrace");
		await().untilAsserted(() -> assertThat(pendingCount()).isZero());
	}

	@Test
	void unreadableEntryIsDeadLetteredAfterOneAttemptWithoutReachingTheHandler() {
		this.application = start();
		redis.server().command("XADD", "work", "*", "nopayload", "x");
		xadd("fine");

		await().atMost(Duration.ofSeconds(10)).until(() -> handled.contains("fine") && dlqLength() == 1);

		assertThat(firstDeadLetter()).containsEntry("nopayload", "x")
			.containsEntry("x-exception-fqcn", "dev.rill.binder.redis.codec.MalformedStreamEntryException");
		assertThat(handled).containsExactly("fine");
	}

	@Test
	void entryDeliveredMoreThanMaxDeliveriesIsDeadLetteredWithoutRunningTheHandler() {
		redis.server().command("XGROUP", "CREATE", "work", "workers", "0", "MKSTREAM");
		xadd("crashes-the-process");
		// Three deliveries to the same consumer that never acknowledged: a crash loop.
		for (int i = 0; i < 3; i++) {
			redis.server().command("XREADGROUP", "GROUP", "workers", "fixed", "STREAMS", "work", i == 0 ? ">" : "0");
		}

		this.application = start("spring.cloud.stream.redis.bindings.sink-in-0.consumer.consumer-name=fixed",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.max-deliveries=3");

		await().atMost(Duration.ofSeconds(10)).until(() -> dlqLength() == 1);
		assertThat(firstDeadLetter()).containsEntry("x-delivery-count", "4")
			.containsEntry("x-exception-fqcn", DeliveryLimitExceededException.class.getName());
		assertThat(handled).isEmpty();
		await().untilAsserted(() -> assertThat(pendingCount()).isZero());
	}

	@Test
	void entryStaysPendingWhenTheDeadLetterCannotBeWritten() {
		redis.server().command("SET", "work.workers.dlq", "not a stream");
		this.application = start();
		xadd("poison");
		xadd("fine");

		await().atMost(Duration.ofSeconds(10)).until(() -> handled.contains("fine"));

		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
			.untilAsserted(() -> assertThat(pendingCount()).isEqualTo(1));
	}

	private ConfigurableApplicationContext start(String... extra) {
		return this.applications.start(SinkApplication.class,
				List.of("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=work",
				"spring.cloud.stream.bindings.sink-in-0.group=workers",
				"spring.cloud.stream.bindings.sink-in-0.consumer.max-attempts=3",
				"spring.cloud.stream.bindings.sink-in-0.consumer.back-off-initial-interval=50",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.enable-dlq=true"), extra);
	}

	private static String xadd(String payload) {
		return redis.server().command("XADD", "work", "*", "payload", payload, "contentType", "text/plain");
	}

	private static long dlqLength() {
		String type = redis.server().command("TYPE", "work.workers.dlq");
		return "stream".equals(type) ? Long.parseLong(redis.server().command("XLEN", "work.workers.dlq")) : 0;
	}

	private static long pendingCount() {
		return Long.parseLong(redis.server().command("XPENDING", "work", "workers").split("\n")[0]);
	}

	/** The fields of the first dead letter (values may span lines: read them with a real client). */
	private Map<String, String> firstDeadLetter() {
		return TestApplications.firstEntryFields(this.application, "work.workers.dlq");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class SinkApplication {

		@Bean
		Consumer<String> sink() {
			return payload -> {
				handled.add(payload);
				if (payload.startsWith("poison")) {
					throw new IllegalStateException("cannot handle poison");
				}
			};
		}

	}

}
