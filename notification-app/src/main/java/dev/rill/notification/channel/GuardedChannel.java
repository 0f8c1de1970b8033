package dev.rill.notification.channel;

import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.rill.notification.infra.CircuitBreakerGate;
import dev.rill.notification.notify.Notice;

/**
 * The outbound channel behind Resilience4j: {@code Retry(CircuitBreaker(channel))}, the
 * instances named {@value #INSTANCE} ({@code resilience4j.retry.instances.notificationChannel},
 * {@code resilience4j.circuitbreaker.instances.notificationChannel}).
 * <p>
 * Channel failures are owned here, and only here (the binding does not retry them):
 * <ul>
 * <li>each attempt is counted by the breaker; the retry backs off exponentially with
 * jitter and does not retry a call the breaker refused;</li>
 * <li>when the breaker refuses the call (open), the notice is not failed: the caller
 * waits until the breaker lets calls through again, then tries again;</li>
 * <li>when the retries are used up while the breaker still lets calls through, the
 * caller waits {@code rill.notification.retry-round-pause} (or until the breaker
 * changes state) and tries again: the breaker opens if the failures go on;</li>
 * <li>a {@link NotificationRejectedException} (the channel refused this notice for good)
 * is neither retried nor counted, and propagates: the event is dead-lettered.</li>
 * </ul>
 * So an outage dead-letters nothing, and the attempts it costs are bounded by the
 * breaker: its minimum number of calls, then the trial calls of each {@code HALF_OPEN}.
 * The wait is interruptible: a shutdown that interrupts the consumer thread ends it with
 * a {@link NotificationInterruptedException}, and the event stays unacknowledged.
 */
public class GuardedChannel {

	/** The name of the Resilience4j circuit breaker and retry instances. */
	public static final String INSTANCE = "notificationChannel";

	private static final Logger logger = LoggerFactory.getLogger(GuardedChannel.class);

	private final NotificationChannel channel;

	private final CircuitBreaker breaker;

	private final Retry retry;

	private final CircuitBreakerGate gate;

	private final Duration roundPause;

	/**
	 * @param channel the channel to guard
	 * @param breaker the circuit breaker around each attempt
	 * @param retry the retry around the breaker
	 * @param gate lets refused callers wait for the breaker
	 * @param roundPause the wait between rounds of attempts when the breaker does not change state
	 */
	public GuardedChannel(NotificationChannel channel, CircuitBreaker breaker, Retry retry, CircuitBreakerGate gate,
			Duration roundPause) {
		this.channel = channel;
		this.breaker = breaker;
		this.retry = retry;
		this.gate = gate;
		this.roundPause = roundPause;
	}

	/**
	 * Send the notice; return once the channel accepted it.
	 * @param notice what to tell whom
	 * @return the name of the channel that accepted it
	 * @throws NotificationRejectedException when the channel refused the notice for good
	 * @throws NotificationInterruptedException when the thread was interrupted while waiting
	 */
	public String send(Notice notice) {
		Runnable attempt = Retry.decorateRunnable(this.retry,
				CircuitBreaker.decorateRunnable(this.breaker, () -> this.channel.send(notice)));
		boolean waited = false;
		while (true) {
			long seen = this.gate.transitions();
			try {
				attempt.run();
				if (waited) {
					logger.info("The {} channel accepted the notice for order {} after the outage", this.channel.name(),
							notice.orderId());
				}
				return this.channel.name();
			}
			catch (CallNotPermittedException ex) {
				if (!waited) {
					logger.info("Circuit breaker '{}' is {}: notice for order {} waits until the {} channel recovers",
							this.breaker.getName(), this.breaker.getState(), notice.orderId(), this.channel.name());
				}
				else {
					logger.debug("Circuit breaker '{}' is {}: notice for order {} waits on", this.breaker.getName(),
							this.breaker.getState(), notice.orderId());
				}
				waited = true;
			}
			catch (NotificationRejectedException ex) {
				throw ex;
			}
			catch (RuntimeException ex) {
				if (Thread.currentThread().isInterrupted()) {
					throw new NotificationInterruptedException(notice.orderId(), ex);
				}
				logger.warn("The {} channel failed for order {} after {} attempt(s): {}; next round in {}",
						this.channel.name(), notice.orderId(), this.retry.getRetryConfig().getMaxAttempts(), ex.toString(),
						this.roundPause);
			}
			try {
				this.gate.awaitCallsPermitted(seen, this.roundPause);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new NotificationInterruptedException(notice.orderId(), ex);
			}
		}
	}

	/**
	 * @return the name of the guarded channel
	 */
	public String channelName() {
		return this.channel.name();
	}

}
