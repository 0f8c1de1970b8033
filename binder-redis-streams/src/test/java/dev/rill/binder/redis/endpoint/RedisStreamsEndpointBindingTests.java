package dev.rill.binder.redis.endpoint;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.rill.binder.redis.StartedApplications;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.GroupDescriptor;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.ReplayDescriptor;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.StreamDescriptor;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.StreamsDescriptor;
import dev.rill.binder.redis.test.RedisServerExtension;
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
 * The endpoint of a running application whose binding consumes the streams it shows and
 * changes. Oracle: what the binding's handler receives after a replay or a group move, and
 * the stream lengths.
 */
class RedisStreamsEndpointBindingTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	/** Payloads the handler fails on. */
	static final Set<String> failing = ConcurrentHashMap.newKeySet();

	/** Every message the handler received, failed ones included. */
	static final List<Message<String>> received = new CopyOnWriteArrayList<>();

	@RegisterExtension
	final StartedApplications applications = new StartedApplications(redis);

	private ConfigurableApplicationContext application;

	@BeforeEach
	void clean() {
		failing.clear();
		received.clear();
	}

	@Test
	void listsTheBindingsStreamWithItsGroupAndConsumerAndItsDeadLetterStream() {
		failing.add("poison");
		start("spring.cloud.stream.redis.binder.key-prefix=app:");
		xadd("app:work", "*", "poison");
		xadd("app:work", "*", "fine");
		await().until(() -> received.size() == 2 && "1".equals(command("XLEN", "app:work.workers.dlq")));

		await().untilAsserted(() -> {
			StreamsDescriptor listing = endpoint().streams();
			assertThat(listing.keyPrefix()).isEqualTo("app:");
			assertThat(listing.streams()).extracting(StreamDescriptor::key)
				.containsExactly("app:work", "app:work.workers.dlq");
			StreamDescriptor work = listing.streams().get(0);
			assertThat(work.length()).isEqualTo(2);
			assertThat(work.groups()).singleElement().satisfies(group -> {
				assertThat(group.name()).isEqualTo("workers");
				assertThat(group.lag()).isZero();
				assertThat(group.pending()).isZero();
				assertThat(group.consumers()).singleElement()
					.satisfies(consumer -> assertThat(consumer.name()).isNotBlank());
			});
			assertThat(listing.streams().get(1).length()).isEqualTo(1);
		});
	}

	@Test
	void replayedDeadLettersAreConsumedAgainByTheRunningBindingAndLeaveTheDeadLetterStreamEmpty() {
		failing.addAll(List.of("a", "b"));
		start();
		xadd("work", "*", "a");
		xadd("work", "*", "b");
		xadd("work", "*", "c");
		await().until(() -> received.size() == 3 && "2".equals(command("XLEN", "work.workers.dlq")));
		failing.clear();

		ReplayDescriptor result = endpoint().replay("work.workers.dlq", "replay", null);

		assertThat(result.replayed()).isEqualTo(2);
		assertThat(result.failed()).isEmpty();
		await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 5);
		List<Message<String>> replayed = received.subList(3, 5);
		assertThat(replayed).extracting(Message::getPayload).containsExactly("a", "b");
		assertThat(replayed.get(0).getHeaders()).containsEntry("orderId", "order-a")
			.doesNotContainKeys("x-original-stream", "x-exception-fqcn", "x-failed-at", "x-delivery-count");
		assertThat(command("XLEN", "work.workers.dlq")).isEqualTo("0");
		await().until(() -> "0".equals(pending()));
	}

	@Test
	void aGroupMovedBackToAnInstantReceivesTheEntriesAddedSinceThenAgain() {
		start();
		for (int i = 1; i <= 5; i++) {
			xadd("work", (i * 1000) + "-0", "entry " + i);
		}
		await().until(() -> received.size() == 5);

		GroupDescriptor moved = endpoint().moveGroup("work", "groups", "workers", "1970-01-01T00:00:03Z");

		assertThat(moved.lag()).isEqualTo(3);
		await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 8);
		assertThat(received.subList(5, 8)).extracting(Message::getPayload)
			.containsExactly("entry 3", "entry 4", "entry 5");
	}

	@Test
	void aGroupMovedToTheEndSkipsWhatItHasNotReadYet() {
		command("XGROUP", "CREATE", "work", "workers", "0", "MKSTREAM");
		xadd("work", "*", "old");
		start("spring.cloud.stream.bindings.sink-in-0.consumer.auto-startup=false");

		endpoint().moveGroup("work", "groups", "workers", "latest");
		this.application.getBean(BindingsLifecycleController.class).changeState("sink-in-0", State.STARTED);
		xadd("work", "*", "new");

		await().until(() -> received.size() == 1);
		await().during(Duration.ofMillis(500)).until(() -> received.size() == 1);
		assertThat(received.get(0).getPayload()).isEqualTo("new");
	}

	private void start(String... extra) {
		this.application = this.applications.start(SinkApplication.class,
				List.of("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=work",
				"spring.cloud.stream.bindings.sink-in-0.group=workers",
				"spring.cloud.stream.bindings.sink-in-0.consumer.max-attempts=1",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.enable-dlq=true",
				"management.endpoints.web.exposure.include=redisstreams"), extra);
	}

	private RedisStreamsEndpoint endpoint() {
		return this.application.getBean(RedisStreamsEndpoint.class);
	}

	private static void xadd(String key, String id, String payload) {
		command("XADD", key, id, "payload", payload, "contentType", "text/plain", "orderId", "order-" + payload);
	}

	private static String pending() {
		String reply = command("XPENDING", "work", "workers");
		return reply.split("\n")[0];
	}

	private static String command(String... command) {
		return redis.server().command(command);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class SinkApplication {

		@Bean
		Consumer<Message<String>> sink() {
			return message -> {
				received.add(message);
				if (failing.contains(message.getPayload())) {
					throw new IllegalStateException("cannot handle " + message.getPayload());
				}
			};
		}

	}

}
