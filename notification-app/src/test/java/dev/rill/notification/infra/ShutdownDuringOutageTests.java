package dev.rill.notification.infra;

import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.Test;

import dev.rill.notification.Events;
import dev.rill.notification.PrivateRedisTest;
import dev.rill.notification.RecordingChannel;
import dev.rill.notification.RecordingChannelConfiguration;
import dev.rill.notification.channel.GuardedChannel;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stopping the application while a notice waits for an open breaker: the wait does not
 * block the shutdown beyond the binder's {@code shutdown-timeout} (the binder interrupts
 * the consumer thread, the wait ends), nothing is sent, and the event is not lost.
 * <p>
 * The binder leaves the entry pending; but it runs its recovery (the dead-letter write)
 * before it notices the handler was aborted by shutdown, and whether that write fails on
 * the interrupted thread is a race, so a dead-letter copy may exist as well (a binder
 * issue; replaying that copy sends nothing twice, thanks to the sent marker).
 */
@SpringBootTest(properties = {
		"spring.cloud.stream.default-binder=redis",
		"spring.cloud.stream.redis.bindings.notify-in-0.consumer.block-time=200ms",
		"spring.cloud.stream.redis.binder.shutdown-timeout=1s",
		"resilience4j.circuitbreaker.instances.notificationChannel.minimum-number-of-calls=2",
		"resilience4j.circuitbreaker.instances.notificationChannel.wait-duration-in-open-state=1m",
		"resilience4j.retry.instances.notificationChannel.wait-duration=20ms" })
@Import(RecordingChannelConfiguration.class)
class ShutdownDuringOutageTests extends PrivateRedisTest {

	@Autowired
	private RecordingChannel channel;

	@Autowired
	private StreamBridge bridge;

	@Test
	void aNoticeWaitingForTheBreakerDoesNotBlockShutdownAndStaysPending(
			@Autowired ConfigurableApplicationContext context, @Autowired CircuitBreakerRegistry breakers) {
		this.channel.down(true);
		this.bridge.send("order-status", Events.confirmed("held-1", "corr-held"));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> breakers.circuitBreaker(GuardedChannel.INSTANCE).getState() == CircuitBreaker.State.OPEN);

		long started = System.nanoTime();
		context.stop();

		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
		assertThat(this.channel.accepted()).isEmpty();
		// The Lettuce factory is stopped with the context, so ask the server directly. The
		// XPENDING summary starts with the number of pending entries.
		long pending = firstNumber(redis.server().command("XPENDING", "order-status", "notification"));
		long deadLettered = firstNumber(redis.server().command("XLEN", "order-status.notification.dlq"));
		assertThat(pending + deadLettered).as("pending for redelivery, or dead-lettered: never dropped")
			.isPositive();
	}

	private static long firstNumber(String reply) {
		return Long.parseLong(reply.strip().split("\\s+")[0]);
	}

}
