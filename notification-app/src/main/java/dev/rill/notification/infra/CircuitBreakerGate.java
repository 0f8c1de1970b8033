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
	 * Wait, after an attempt that failed or was refused, until the next attempt makes sense:
	 * the breaker must permit calls, and either have changed state since {@code seen} (e.g.
	 * OPEN to HALF_OPEN) or {@code pause} must have passed (e.g. it stayed CLOSED, or all
	 * trial permits of this HALF_OPEN were taken by other callers). While the breaker does
	 * not permit calls, only a transition ends the wait (each transition publishes an event).
	 * @param seen {@link #transitions()} taken before the attempt
	 * @param pause how long to wait when the breaker does not change state
	 * @throws InterruptedException when the thread is interrupted (e.g. by a shutdown)
	 */
	public synchronized void awaitCallsPermitted(long seen, Duration pause) throws InterruptedException {
		long deadline = System.nanoTime() + pause.toNanos();
		while (true) {
			long remaining = deadline - System.nanoTime();
			boolean permits = permitsCalls(this.breaker.getState());
			if (permits && (this.transitions != seen || remaining <= 0)) {
				return;
			}
			// Past the deadline while calls are not permitted: look again every pause, a
			// safety net only, since transitions wake this wait.
			TimeUnit.NANOSECONDS.timedWait(this, (remaining > 0) ? remaining : pause.toNanos());
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
