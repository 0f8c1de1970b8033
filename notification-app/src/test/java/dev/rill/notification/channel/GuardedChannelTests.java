package dev.rill.notification.channel;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.junit.jupiter.api.Test;

import dev.rill.notification.RecordingChannel;
import dev.rill.notification.events.OrderStatus;
import dev.rill.notification.infra.CircuitBreakerGate;
import dev.rill.notification.notify.Notice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * {@link GuardedChannel} with real Resilience4j instances configured as in application.yml
 * (small numbers): what waits, what fails, and what is retried how often.
 */
class GuardedChannelTests {

	private final RecordingChannel channel = new RecordingChannel();

	private final CircuitBreaker breaker = CircuitBreaker.of("test", CircuitBreakerConfig.custom()
		.slidingWindowSize(4)
		.minimumNumberOfCalls(2)
		.failureRateThreshold(50)
		.waitDurationInOpenState(Duration.ofMillis(300))
		.automaticTransitionFromOpenToHalfOpenEnabled(true)
		.permittedNumberOfCallsInHalfOpenState(1)
		.ignoreExceptions(NotificationRejectedException.class)
		.build());

	private final Retry retry = Retry.of("test", RetryConfig.custom()
		.maxAttempts(3)
		.waitDuration(Duration.ofMillis(10))
		.ignoreExceptions(CallNotPermittedException.class, NotificationRejectedException.class)
		.build());

	private final GuardedChannel guarded = new GuardedChannel(this.channel, this.breaker, this.retry,
			new CircuitBreakerGate(this.breaker), Duration.ofMillis(100));

	@Test
	void aNoticeRefusedByTheOpenBreakerWaitsAndIsSentOnceTheChannelRecovered() {
		this.channel.down(true);

		CompletableFuture<String> sending = CompletableFuture.supplyAsync(() -> this.guarded.send(notice("o-1")));

		await().atMost(Duration.ofSeconds(5)).until(() -> this.breaker.getState() == CircuitBreaker.State.OPEN);
		assertThat(sending).isNotDone();
		this.channel.down(false);
		assertThat(sending).succeedsWithin(Duration.ofSeconds(5)).isEqualTo("test");
		assertThat(this.channel.acceptedOrderIds()).containsExactly("o-1");
		assertThat(this.breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
	}

	@Test
	void anOutageCostsTheAttemptsTheBreakerAllowsNotMore() {
		AtomicReference<Integer> opened = new AtomicReference<>(0);
		this.breaker.getEventPublisher().onStateTransition(event -> {
			if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
				opened.getAndUpdate(n -> n + 1);
			}
		});
		this.channel.down(true);

		CompletableFuture<String> sending = CompletableFuture.supplyAsync(() -> this.guarded.send(notice("o-2")));
		// Several OPEN -> HALF_OPEN -> OPEN cycles.
		await().atMost(Duration.ofSeconds(10)).until(() -> opened.get() >= 3);
		this.channel.down(false);

		assertThat(sending).succeedsWithin(Duration.ofSeconds(5));
		// Closed: the minimum number of calls; then one trial call per HALF_OPEN.
		assertThat(this.channel.failedCalls()).isLessThanOrEqualTo(2 + opened.get());
	}

	@Test
	void retriesUsedUpWhileTheBreakerStaysClosedAreTriedAgainAfterTheRecheckInterval() {
		CircuitBreaker lenient = CircuitBreaker.of("lenient", CircuitBreakerConfig.custom()
			.minimumNumberOfCalls(100)
			.automaticTransitionFromOpenToHalfOpenEnabled(true)
			.build());
		GuardedChannel guardedLeniently = new GuardedChannel(this.channel, lenient, this.retry,
				new CircuitBreakerGate(lenient), Duration.ofMillis(100));
		this.channel.failNext(4);

		assertThat(guardedLeniently.send(notice("o-3"))).isEqualTo("test");

		assertThat(this.channel.calls()).isEqualTo(5);
		assertThat(this.channel.acceptedOrderIds()).containsExactly("o-3");
	}

	@Test
	void aRefusalIsNeitherRetriedNorCountedByTheBreaker() {
		this.channel.refuse(new NotificationRejectedException("refused", null));

		assertThatExceptionOfType(NotificationRejectedException.class)
			.isThrownBy(() -> this.guarded.send(notice("o-4")));

		assertThat(this.channel.calls()).isEqualTo(1);
		assertThat(this.breaker.getMetrics().getNumberOfFailedCalls()).isZero();
	}

	@Test
	void anInterruptEndsTheWaitAndKeepsTheInterruptFlag() throws Exception {
		this.breaker.transitionToForcedOpenState();
		AtomicReference<Throwable> thrown = new AtomicReference<>();
		AtomicBoolean stillInterrupted = new AtomicBoolean();
		Thread consumer = new Thread(() -> {
			try {
				this.guarded.send(notice("o-5"));
			}
			catch (RuntimeException ex) {
				thrown.set(ex);
				stillInterrupted.set(Thread.currentThread().isInterrupted());
			}
		});
		consumer.start();
		await().atMost(Duration.ofSeconds(5)).until(() -> consumer.getState() == Thread.State.TIMED_WAITING);

		consumer.interrupt();
		consumer.join(5_000);

		assertThat(consumer.isAlive()).isFalse();
		assertThat(thrown.get()).isInstanceOf(NotificationInterruptedException.class);
		assertThat(stillInterrupted).isTrue();
		assertThat(this.channel.calls()).isZero();
	}

	@Test
	void aBreakerThatWouldNeverHalfOpenOnItsOwnIsRefused() {
		CircuitBreaker manual = CircuitBreaker.of("manual", CircuitBreakerConfig.custom()
			.automaticTransitionFromOpenToHalfOpenEnabled(false)
			.build());

		assertThatIllegalStateException().isThrownBy(() -> new CircuitBreakerGate(manual))
			.withMessageContaining("automatic-transition-from-open-to-half-open-enabled");
	}

	private static Notice notice(String orderId) {
		return new Notice(UUID.randomUUID(), orderId, "c-7", "ann@example.com", OrderStatus.CONFIRMED, null,
				Instant.parse("2024-05-01T10:00:00Z"));
	}

}
