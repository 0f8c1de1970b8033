package dev.rill.binder.redis.inbound;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import dev.rill.binder.redis.RedisStreamsHeaders;
import dev.rill.binder.redis.TestApplications;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.cloud.stream.binding.BindingsLifecycleController.State;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.messaging.Message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How a consumer binding reads a stream as a member of a consumer group, on a real
 * Redis. Entries are written with raw {@code XADD}s, independent of the binder's producer.
 */
class ConsumerBindingTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	static final List<Message<String>> received = new CopyOnWriteArrayList<>();

	static volatile Consumer<Message<String>> behaviour = message -> {
	};

	private final List<ConfigurableApplicationContext> applications = new ArrayList<>();

	@BeforeEach
	void clean() {
		redis.flushAll();
		received.clear();
		behaviour = message -> {
		};
	}

	@AfterEach
	void close() {
		this.applications.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void deliversPayloadContentTypeAndTheBinderHeaders() {
		start("workers");
		String id = xadd("hello");

		await().until(() -> received.size() == 1);

		Message<String> message = received.get(0);
		assertThat(message.getPayload()).isEqualTo("hello");
		assertThat(message.getHeaders().get("contentType")).hasToString("text/plain");
		assertThat(message.getHeaders()).containsEntry(RedisStreamsHeaders.STREAM, "work")
			.containsEntry(RedisStreamsHeaders.ENTRY_ID, id)
			.containsEntry(RedisStreamsHeaders.GROUP, "workers")
			.containsEntry(RedisStreamsHeaders.DELIVERY_COUNT, 1L)
			.containsKey(RedisStreamsHeaders.CONSUMER);
	}

	@Test
	void namedGroupStartsWithEntriesWrittenBeforeItExisted() {
		xadd("older");
		start("workers");

		await().until(() -> payloads().contains("older"));
	}

	@Test
	void anonymousConsumerStartsAtLatestAndItsGroupIsRemovedWhenItStops() {
		xadd("older");
		ConfigurableApplicationContext application = start(null);
		assertThat(redis.server().command("XINFO", "GROUPS", "work")).contains("anonymous.");
		xadd("newer");

		await().until(() -> payloads().contains("newer"));
		assertThat(payloads()).doesNotContain("older");

		application.close();
		assertThat(redis.server().command("XINFO", "GROUPS", "work")).doesNotContain("anonymous.");
	}

	@Test
	void startPositionAtAnEntryIdDeliversOnlyLaterEntries() {
		xadd("before");
		String position = xadd("at");
		xadd("after");

		start("workers", "spring.cloud.stream.redis.bindings.sink-in-0.consumer.start-position=" + position);

		await().until(() -> payloads().contains("after"));
		assertThat(payloads()).containsExactly("after");
	}

	@Test
	void startPositionAtAnInstantSkipsEntriesOlderThanIt() {
		long now = Instant.now().toEpochMilli();
		redis.server().command("XADD", "work", (now - 60_000) + "-0", "payload", "a minute ago");
		redis.server().command("XADD", "work", (now - 1_000) + "-0", "payload", "a second ago");

		start("workers", "spring.cloud.stream.redis.bindings.sink-in-0.consumer.start-position="
				+ Instant.ofEpochMilli(now - 30_000));

		await().until(() -> payloads().contains("a second ago"));
		assertThat(payloads()).containsExactly("a second ago");
	}

	@Test
	void entryIsAcknowledgedOnlyAfterTheHandlerReturned() throws InterruptedException {
		CountDownLatch release = new CountDownLatch(1);
		behaviour = message -> awaitQuietly(release);
		start("workers");
		xadd("slow");

		await().until(() -> received.size() == 1);
		assertThat(pending()).isEqualTo(1);

		release.countDown();
		await().until(() -> pending() == 0);
	}

	@Test
	void failingEntryStaysPendingWhileRetriedThenIsLoggedAndAcknowledgedWithoutADeadLetterStream() {
		CountDownLatch release = new CountDownLatch(1);
		behaviour = message -> {
			if (message.getPayload().equals("poison")) {
				if (received.stream().filter(m -> m.getPayload().equals("poison")).count() == 3) {
					awaitQuietly(release);
				}
				throw new IllegalStateException("always fails");
			}
		};
		start("workers", "spring.cloud.stream.bindings.sink-in-0.consumer.max-attempts=3",
				"spring.cloud.stream.bindings.sink-in-0.consumer.back-off-initial-interval=50");
		String poison = xadd("poison");
		xadd("fine");

		await().until(() -> payloads().stream().filter("poison"::equals).count() == 3);
		assertThat(redis.server().command("XPENDING", "work", "workers", "-", "+", "10"))
			.as("pending while the last attempt runs")
			.contains(poison);
		release.countDown();

		await().until(() -> payloads().contains("fine") && pending() == 0);
		assertThat(payloads()).filteredOn("poison"::equals).hasSize(3);
	}

	@Test
	void consumerWithAStableNameFirstRedeliversItsOwnPendingEntries() {
		redis.server().command("XGROUP", "CREATE", "work", "workers", "0", "MKSTREAM");
		xadd("read before a crash");
		redis.server().command("XREADGROUP", "GROUP", "workers", "fixed", "STREAMS", "work", ">");

		start("workers", "spring.cloud.stream.redis.bindings.sink-in-0.consumer.consumer-name=fixed");

		await().until(() -> received.size() == 1);
		assertThat(received.get(0).getHeaders()).containsEntry(RedisStreamsHeaders.DELIVERY_COUNT, 2L)
			.containsEntry(RedisStreamsHeaders.CONSUMER, "fixed");
		await().until(() -> pending() == 0);
	}

	@Test
	void concurrentConsumersShareTheGroupAndHandleEachEntryOnce() {
		start("workers", "spring.cloud.stream.bindings.sink-in-0.consumer.concurrency=3",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.read-count=5");
		behaviour = message -> sleepQuietly(2);
		for (int i = 0; i < 300; i++) {
			xadd("m" + i);
		}

		await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= 300 && pending() == 0);

		assertThat(payloads()).hasSize(300).doesNotHaveDuplicates();
		Set<Object> consumers = received.stream()
			.map(message -> message.getHeaders().get(RedisStreamsHeaders.CONSUMER))
			.collect(Collectors.toSet());
		assertThat(consumers).hasSizeGreaterThan(1);
	}

	@Test
	void pausedBindingStopsReadingAndResumesWhereItLeft() {
		ConfigurableApplicationContext application = start("workers");
		BindingsLifecycleController bindings = application.getBean(BindingsLifecycleController.class);

		bindings.changeState("sink-in-0", State.PAUSED);
		xadd("while paused");
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(received::isEmpty);
		assertThat(redis.server().command("XINFO", "GROUPS", "work")).contains("workers");

		bindings.changeState("sink-in-0", State.RESUMED);
		await().until(() -> payloads().contains("while paused"));
	}

	@Test
	void consumerRecreatesItsGroupWhenRedisRestartsEmpty() {
		start("workers");
		xadd("before");
		await().until(() -> payloads().contains("before"));

		redis.restartEmpty();
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			xadd("after");
			assertThat(payloads()).contains("after");
		});
	}

	private ConfigurableApplicationContext start(String group, String... extra) {
		List<String> properties = new ArrayList<>(List.of("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=work"));
		if (group != null) {
			properties.add("spring.cloud.stream.bindings.sink-in-0.group=" + group);
		}
		properties.addAll(List.of(extra));
		ConfigurableApplicationContext application = TestApplications.start(SinkApplication.class,
				redis.springProperties(), properties.toArray(String[]::new));
		this.applications.add(application);
		return application;
	}

	private static String xadd(String payload) {
		return redis.server().command("XADD", "work", "*", "payload", payload, "contentType", "text/plain");
	}

	private static long pending() {
		return Long.parseLong(redis.server().command("XPENDING", "work", "workers").split("\n")[0]);
	}

	private static List<String> payloads() {
		return received.stream().map(Message::getPayload).toList();
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void sleepQuietly(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class SinkApplication {

		@Bean
		Consumer<Message<String>> sink() {
			return message -> {
				received.add(message);
				behaviour.accept(message);
			};
		}

	}

}
