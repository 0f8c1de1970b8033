package dev.rill.notification.infra;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * Lets a caller whose call the circuit breaker refused wait, interruptibly, until the
 * breaker lets calls through again, instead of failing the message it holds.
 * <p>
 * Woken by the breaker's state transitions. A caller waits for a transition
 * <em>after</em> its refused attempt: in {@code HALF_OPEN} the trial permits may all be
 * taken, and waiting for "not open" alone would spin until the trial calls decide.
 * <p>
 * Needs {@code automatic-transition-from-open-to-half-open-enabled}: while the breaker is
 * open the binding is paused and no call arrives that could move it to {@code HALF_OPEN}.
 */
public final class CircuitBreakerGate {

	private final CircuitBreaker breaker;

	/** How many state transitions happened; guarded by {@code this}. */
	private long transitions;

	/**
	 * @param breaker the breaker to wait for
	 * @throws IllegalStateException when the breaker would never leave OPEN on its own
	 */
	public CircuitBreakerGate(CircuitBreaker breaker) {
		if (!breaker.getCircuitBreakerConfig().isAutomaticTransitionFromOpenToHalfOpenEnabled()) {
			throw new IllegalStateException("resilience4j.circuitbreaker.instances." + breaker.getName()
					+ ".automatic-transition-from-open-to-half-open-enabled must be true: while the breaker is "
					+ "open the binding is paused, so no call would ever move it to HALF_OPEN");
		}
		this.breaker = breaker;
		breaker.getEventPublisher().onStateTransition(event -> transitioned());
	}

	private synchronized void transitioned() {
		this.transitions++;
		notifyAll();
	}

	/**
	 * @return a token to pass to {@link #awaitCallsPermitted} after a failed or refused attempt
	 */
	public synchronized long transitions() {
		return this.transitions;
	}

	/**
	 * Wait until the breaker changed state since {@code seen} and now permits calls, or
	 * until {@code atMost} passed (a bounded re-check, e.g. for a breaker forced open by an
	 * operator, whose release publishes no transition this caller could miss otherwise).
	 * @param seen {@link #transitions()} taken before the attempt
	 * @param atMost the longest wait
	 * @throws InterruptedException when the thread is interrupted (e.g. by a shutdown)
	 */
	public synchronized void awaitCallsPermitted(long seen, Duration atMost) throws InterruptedException {
		long deadline = System.nanoTime() + atMost.toNanos();
		while (this.transitions == seen || !permitsCalls(this.breaker.getState())) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				return;
			}
			TimeUnit.NANOSECONDS.timedWait(this, remaining);
		}
	}

	/**
	 * @param state a breaker state
	 * @return whether a breaker in that state lets (some) calls through
	 */
	public static boolean permitsCalls(CircuitBreaker.State state) {
		return switch (state) {
			case CLOSED, HALF_OPEN, DISABLED, METRICS_ONLY -> true;
			case OPEN, FORCED_OPEN -> false;
		};
	}

}
