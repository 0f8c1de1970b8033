package dev.rill.binder.redis.inbound;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import dev.rill.binder.redis.RedisStreamsHeaders;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.cloud.stream.binding.BindingsLifecycleController.State;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.messaging.Message;

import static dev.rill.binder.redis.inbound.ConsumerFixture.BINDING;
import static dev.rill.binder.redis.inbound.ConsumerFixture.GROUP;
import static dev.rill.binder.redis.inbound.ConsumerFixture.STREAM;
import static dev.rill.binder.redis.inbound.ConsumerFixture.payloads;
import static dev.rill.binder.redis.inbound.ConsumerFixture.received;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How a consumer binding reads a stream as a member of a consumer group, on a real
 * Redis: what a delivered message looks like, concurrency, partitions, pausing, and what
 * the consumer survives (an unreadable entry, Redis restarted empty). Entries are written
 * with raw {@code XADD}s, independent of the binder's producer.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConsumerBindingTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	@RegisterExtension
	final ConsumerFixture fixture = new ConsumerFixture(redis);

	@Test
	void deliveredMessageCarriesPayloadContentTypeAndTheBinderHeaders() {
		this.fixture.start(GROUP);
		String id = this.fixture.xadd("hello");

		await().until(() -> received.size() == 1);

		Message<String> message = received.get(0);
		assertThat(message.getPayload()).isEqualTo("hello");
		assertThat(message.getHeaders().get("contentType")).hasToString("text/plain");
		assertThat(message.getHeaders()).containsEntry(RedisStreamsHeaders.STREAM, STREAM)
			.containsEntry(RedisStreamsHeaders.ENTRY_ID, id)
			.containsEntry(RedisStreamsHeaders.GROUP, GROUP)
			.containsEntry(RedisStreamsHeaders.DELIVERY_COUNT, 1L);
		Object consumer = message.getHeaders().get(RedisStreamsHeaders.CONSUMER);
		assertThat(consumer).isInstanceOf(String.class);
		assertThat(consumers()).as("the consumers of the group").contains((String) consumer);
	}

	@Test
	void concurrentConsumersOfOneBindingShareTheGroupAndHandleEachEntryExactlyOnce() {
		// The first consumer to get an entry holds it until another consumer got one: that
		// only ends if the binding really runs several consumers side by side.
		AtomicReference<Object> firstConsumer = new AtomicReference<>();
		CountDownLatch anotherConsumerGotAnEntry = new CountDownLatch(1);
		ConsumerFixture.behaviour = message -> {
			Object consumer = message.getHeaders().get(RedisStreamsHeaders.CONSUMER);
			firstConsumer.compareAndSet(null, consumer);
			if (!consumer.equals(firstConsumer.get())) {
				anotherConsumerGotAnEntry.countDown();
			}
			else {
				awaitAtMost(anotherConsumerGotAnEntry, Duration.ofSeconds(20));
			}
		};
		this.fixture.beforeClose(anotherConsumerGotAnEntry::countDown);
		this.fixture.start(GROUP, BINDING + "concurrency=3",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.read-count=5");

		for (int i = 0; i < 300; i++) {
			this.fixture.xadd("m" + i);
		}

		await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= 300 && this.fixture.pending() == 0);
		assertThat(payloads()).hasSize(300).doesNotHaveDuplicates();
		Set<Object> consumers = received.stream()
			.map(message -> message.getHeaders().get(RedisStreamsHeaders.CONSUMER))
			.collect(Collectors.toSet());
		assertThat(consumers).hasSizeGreaterThan(1);
	}

	@Test
	void partitionedConsumerReadsTheStreamsOfItsInstanceIndexesOnly() {
		this.fixture.start(GROUP, BINDING + "partitioned=true", BINDING + "instance-index-list=1,2",
				"spring.cloud.stream.instance-count=3");
		this.fixture.xadd(STREAM + ":0", "partition 0");
		this.fixture.xadd(STREAM + ":1", "partition 1");
		this.fixture.xadd(STREAM + ":2", "partition 2");

		await().until(() -> payloads().containsAll(List.of("partition 1", "partition 2")));
		assertThat(received).extracting(message -> message.getHeaders().get(RedisStreamsHeaders.STREAM))
			.containsExactlyInAnyOrder(STREAM + ":1", STREAM + ":2");
		assertThat(this.fixture.command("XINFO", "GROUPS", STREAM + ":0")).as("groups of partition 0")
			.doesNotContain(GROUP);
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
			.until(() -> !payloads().contains("partition 0"));
	}

	@Test
	void pausedBindingDeliversNothingUntilResumedAndItsConsumerStaysInTheGroup() {
		ConfigurableApplicationContext application = this.fixture.start(GROUP);
		this.fixture.xadd("before the pause");
		await().until(() -> received.size() == 1);
		String consumer = (String) received.get(0).getHeaders().get(RedisStreamsHeaders.CONSUMER);
		BindingsLifecycleController bindings = application.getBean(BindingsLifecycleController.class);

		bindings.changeState("sink-in-0", State.PAUSED);
		this.fixture.xadd("while paused");

		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> received.size() == 1);
		assertThat(consumers()).as("the consumers of the group while paused").contains(consumer);

		bindings.changeState("sink-in-0", State.RESUMED);
		await().until(() -> payloads().contains("while paused"));
		await().until(() -> this.fixture.pending() == 0);
	}

	@Test
	void consumerWithNothingPendingLeavesTheGroupWhenTheApplicationCloses() {
		ConfigurableApplicationContext application = this.fixture.start(GROUP);
		this.fixture.xadd("handled");
		await().until(() -> received.size() == 1 && this.fixture.pending() == 0);
		String consumer = (String) received.get(0).getHeaders().get(RedisStreamsHeaders.CONSUMER);
		assertThat(consumers()).contains(consumer);

		application.close();

		assertThat(consumers()).doesNotContain(consumer);
		assertThat(this.fixture.command("XINFO", "GROUPS", STREAM)).as("the named group stays").contains(GROUP);
	}

	@Test
	void entryWithoutAPayloadFieldDoesNotStopTheConsumer() {
		this.fixture.start(GROUP);
		this.fixture.command("XADD", STREAM, "*", "not-a-payload", "garbage");
		this.fixture.xadd("behind the unreadable entry");

		await().until(() -> payloads().contains("behind the unreadable entry"));
		this.fixture.xadd("later");
		await().until(() -> payloads().contains("later"));

		assertThat(payloads()).containsExactly("behind the unreadable entry", "later");
		await().until(() -> this.fixture.pending() == 0);
	}

	@Test
	void consumerRecreatesItsGroupWhenRedisRestartsEmptyAndKeepsDelivering(CapturedOutput output) {
		this.fixture.start(GROUP, BINDING + "concurrency=2");
		this.fixture.xadd("before the restart");
		await().until(() -> payloads().contains("before the restart"));
		List<Thread> consumerThreads = consumerThreads();
		assertThat(consumerThreads).hasSize(2);

		redis.restartEmpty();
		this.fixture.xadd("after the restart");

		await().atMost(Duration.ofSeconds(20)).until(() -> payloads().contains("after the restart"));
		await().until(() -> output.getOut().contains("had disappeared"));
		assertThat(this.fixture.command("XINFO", "GROUPS", STREAM)).contains(GROUP);
		assertThat(consumerThreads).as("consumer threads").allMatch(Thread::isAlive);
		assertThat(payloads()).containsExactly("before the restart", "after the restart");
	}

	/** The threads that run this binding's consumers, named after destination and group. */
	private static List<Thread> consumerThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter(thread -> thread.getName().startsWith("redis-" + STREAM + "-" + GROUP + "-"))
			.toList();
	}

	private String consumers() {
		return this.fixture.command("XINFO", "CONSUMERS", STREAM, GROUP);
	}

	private static void awaitAtMost(CountDownLatch latch, Duration timeout) {
		try {
			latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
