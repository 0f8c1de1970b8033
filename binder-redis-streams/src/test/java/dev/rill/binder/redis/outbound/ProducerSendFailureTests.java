package dev.rill.binder.redis.outbound;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import dev.rill.binder.redis.StartedApplications;
import dev.rill.binder.redis.test.RedisServerExtension;
import dev.rill.binder.redis.test.RedisServerProcess.Fsync;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageDeliveryException;
import org.springframework.messaging.SubscribableChannel;
import org.springframework.messaging.support.ErrorMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * What a producer binding does when Redis does not store an entry: an asynchronous send
 * reports the failure to the binding's error channel, a synchronous one throws once its
 * {@code send-timeout} has passed; either way naming the stream.
 * <p>
 * Redis runs with AOF ({@code appendfsync always}), so that after a restart the stream
 * holds exactly what Redis confirmed.
 */
class ProducerSendFailureTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.withAof(Fsync.ALWAYS);

	@RegisterExtension
	final StartedApplications applications = new StartedApplications(redis);

	private ConfigurableApplicationContext application;

	@AfterEach
	void unpause() {
		// Runs before the extension closes the application: some tests leave Redis paused
		// for writes (CLIENT PAUSE ... WRITE), and the application is closed against a Redis
		// that answers again.
		if (redis.server().isRunning()) {
			redis.server().command("CLIENT", "UNPAUSE");
		}
	}

	@Test
	void asyncSendFailureArrivesOnTheErrorChannelNamingTheStreamAndTheEntryIsNotWritten() {
		StreamBridge bridge = start("spring.cloud.stream.bindings.out-0.producer.error-channel-enabled=true",
				"spring.data.redis.timeout=500ms");
		BlockingQueue<Message<?>> errors = new LinkedBlockingQueue<>();
		this.application.getBean("errorChannel", SubscribableChannel.class).subscribe(errors::add);
		bridge.send("out-0", "before");
		await().until(() -> payloads().contains("before"));

		redis.stop();
		bridge.send("out-0", "during");

		await().atMost(Duration.ofSeconds(10)).until(() -> !errors.isEmpty());
		assertThat(errors.peek()).isInstanceOf(ErrorMessage.class);
		Throwable failure = ((ErrorMessage) errors.peek()).getPayload();
		assertThat(failure).isInstanceOf(MessageDeliveryException.class)
			.hasMessageContaining("Failed to send to stream 'orders'");
		assertThat(payloadOf(((MessageDeliveryException) failure).getFailedMessage())).isEqualTo("during");

		redis.restart();
		bridge.send("out-0", "after");
		await().atMost(Duration.ofSeconds(30)).until(() -> payloads().contains("after"));
		assertThat(payloads()).containsExactly("before", "after");
	}

	@Test
	void everyFailedSendOfABatchOfAsyncSendsArrivesOnTheErrorChannel() {
		StreamBridge bridge = start("spring.cloud.stream.bindings.out-0.producer.error-channel-enabled=true");
		BlockingQueue<Message<?>> errors = new LinkedBlockingQueue<>();
		this.application.getBean("errorChannel", SubscribableChannel.class).subscribe(errors::add);
		bridge.send("out-0", "before");
		await().until(() -> payloads().contains("before"));
		// The key stops being a stream: Redis refuses every XADD of the burst (WRONGTYPE).
		redis.server().command("DEL", "orders");
		redis.server().command("SET", "orders", "not a stream");

		for (int i = 0; i < 300; i++) {
			bridge.send("out-0", "burst-" + i);
		}

		await().atMost(Duration.ofSeconds(30)).until(() -> errors.size() >= 300);
		assertThat(errors).hasSize(300).allSatisfy(error -> {
			assertThat(((ErrorMessage) error).getPayload()).isInstanceOf(MessageDeliveryException.class)
				.hasMessageContaining("Failed to send to stream 'orders'")
				.hasMessageContaining("WRONGTYPE");
		});
		assertThat(errors).extracting(error -> payloadOf(
				((MessageDeliveryException) ((ErrorMessage) error).getPayload()).getFailedMessage()))
			.containsExactlyInAnyOrderElementsOf(
					java.util.stream.IntStream.range(0, 300).mapToObj(i -> "burst-" + i).toList());
	}

	@Test
	void syncSendGivesUpAfterTheSendTimeoutNamingTheStream() {
		StreamBridge bridge = start("spring.cloud.stream.redis.bindings.out-0.producer.sync=true",
				"spring.cloud.stream.redis.bindings.out-0.producer.send-timeout=500ms",
				"spring.data.redis.timeout=30s");
		bridge.send("out-0", "before");
		redis.server().command("CLIENT", "PAUSE", "20000", "WRITE");

		long started = System.nanoTime();
		Throwable thrown = catchThrowable(() -> bridge.send("out-0", "during"));
		Duration waited = Duration.ofNanos(System.nanoTime() - started);

		assertThat(deliveryFailureIn(thrown))
			.hasMessageStartingWith("Failed to send to stream 'orders': no confirmation within PT0.5S");
		assertThat(waited).isBetween(Duration.ofMillis(500), Duration.ofSeconds(5));
	}

	/**
	 * {@code min-replica-acks} on a server without replicas: Redis writes the entry, and
	 * {@code WAIT} answers 0 after the timeout, so the send fails saying so, with the id.
	 */
	@Test
	void syncSendThatTooFewReplicasConfirmedFailsNamingTheWrittenEntry() {
		StreamBridge bridge = start("spring.cloud.stream.redis.bindings.out-0.producer.sync=true",
				"spring.cloud.stream.redis.bindings.out-0.producer.min-replica-acks=1",
				"spring.cloud.stream.redis.bindings.out-0.producer.replica-ack-timeout=100ms");

		Throwable thrown = catchThrowable(() -> bridge.send("out-0", "unreplicated"));

		MessageDeliveryException failure = deliveryFailureIn(thrown);
		assertThat(failure).hasMessageContaining("Failed to send to stream 'orders': entry ")
			.hasMessageContaining("was written on the primary but confirmed by 0 of 1 replicas within 100ms")
			.hasCauseInstanceOf(UnconfirmedReplicationException.class);
		String id = ((UnconfirmedReplicationException) failure.getCause()).getEntryId();
		assertThat(redis.server().command("XRANGE", "orders", id, id)).contains("unreplicated");
	}

	@Test
	void asyncSendThatTooFewReplicasConfirmedArrivesOnTheErrorChannel() {
		StreamBridge bridge = start("spring.cloud.stream.bindings.out-0.producer.error-channel-enabled=true",
				"spring.cloud.stream.redis.bindings.out-0.producer.min-replica-acks=1",
				"spring.cloud.stream.redis.bindings.out-0.producer.replica-ack-timeout=100ms");
		BlockingQueue<Message<?>> errors = new LinkedBlockingQueue<>();
		this.application.getBean("errorChannel", SubscribableChannel.class).subscribe(errors::add);

		bridge.send("out-0", "unreplicated");

		await().until(() -> !errors.isEmpty());
		assertThat(((ErrorMessage) errors.peek()).getPayload()).isInstanceOf(MessageDeliveryException.class)
			.hasMessageContaining("confirmed by 0 of 1 replicas within 100ms")
			.hasCauseInstanceOf(UnconfirmedReplicationException.class);
	}

	@Test
	void syncSendFailureOfAPartitionedDestinationNamesThePartitionsStream() {
		StreamBridge bridge = start("spring.cloud.stream.redis.bindings.out-0.producer.sync=true",
				"spring.cloud.stream.redis.bindings.out-0.producer.send-timeout=500ms",
				"spring.cloud.stream.bindings.out-0.producer.partition-key-expression=headers['partition']",
				"spring.cloud.stream.bindings.out-0.producer.partition-count=3");
		bridge.send("out-0", MessageBuilder.withPayload("before").setHeader("partition", 0).build());
		redis.server().command("CLIENT", "PAUSE", "20000", "WRITE");

		Throwable thrown = catchThrowable(
				() -> bridge.send("out-0", MessageBuilder.withPayload("during").setHeader("partition", 2).build()));

		assertThat(deliveryFailureIn(thrown)).hasMessageStartingWith("Failed to send to stream 'orders:2': ");
	}

	/** The first {@link MessageDeliveryException} in the cause chain, failing when there is none. */
	private static MessageDeliveryException deliveryFailureIn(Throwable thrown) {
		assertThat(thrown).as("what the send threw").isNotNull();
		for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
			if (cause instanceof MessageDeliveryException failure) {
				return failure;
			}
		}
		throw new AssertionError("No MessageDeliveryException in the cause chain of " + thrown, thrown);
	}

	private static String payloadOf(Message<?> message) {
		Object payload = message.getPayload();
		return (payload instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(payload);
	}

	/** The payloads of {@code orders}, oldest first. */
	private static List<String> payloads() {
		return StreamPayloads.of(redis.server(), "orders");
	}

	private StreamBridge start(String... extra) {
		this.application = ProducerApplication.start(this.applications, extra);
		return this.application.getBean(StreamBridge.class);
	}

}
