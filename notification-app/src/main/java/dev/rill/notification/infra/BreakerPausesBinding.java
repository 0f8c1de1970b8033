package dev.rill.notification.infra;

import java.util.List;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.cloud.stream.binder.Binding;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.cloud.stream.binding.BindingsLifecycleController.State;
import org.springframework.context.event.EventListener;

/**
 * Pauses a consumer binding while a circuit breaker is open, and resumes it when the
 * breaker lets calls through again ({@code HALF_OPEN} or {@code CLOSED}). While paused,
 * new events wait in the stream (or topic) instead of being read only to fail.
 * <p>
 * Driven by the breaker's state-transition events; it acts on the breaker's current
 * state rather than on the event's, so transitions published from different threads
 * (a failing call, the breaker's timer) cannot leave the binding in a stale state. It
 * resumes only a pause it made, so a binding paused by an operator stays paused.
 */
public final class BreakerPausesBinding {

	private static final Logger logger = LoggerFactory.getLogger(BreakerPausesBinding.class);

	private final CircuitBreaker breaker;

	private final String bindingName;

	private final ObjectProvider<BindingsLifecycleController> controller;

	/** Whether this pauser paused the binding; guarded by {@code this}. */
	private boolean pausedByBreaker;

	/**
	 * @param breaker the breaker to follow
	 * @param bindingName the consumer binding to pause, e.g. {@code notify-in-0}
	 * @param controller Spring Cloud Stream's bindings controller
	 */
	public BreakerPausesBinding(CircuitBreaker breaker, String bindingName,
			ObjectProvider<BindingsLifecycleController> controller) {
		this.breaker = breaker;
		this.bindingName = bindingName;
		this.controller = controller;
		breaker.getEventPublisher().onStateTransition(event -> follow());
	}

	/**
	 * Bindings exist from here on: catch up with a breaker that opened during startup.
	 */
	@EventListener(ApplicationReadyEvent.class)
	public void onApplicationReady() {
		follow();
	}

	/**
	 * Pause or resume the binding to match the breaker's current state.
	 */
	public synchronized void follow() {
		CircuitBreaker.State state = this.breaker.getState();
		boolean open = !CircuitBreakerGate.permitsCalls(state);
		if (open == this.pausedByBreaker) {
			return;
		}
		BindingsLifecycleController bindings = this.controller.getIfAvailable();
		List<Binding<?>> found = (bindings != null) ? bindings.queryState(this.bindingName) : List.of();
		if (found.isEmpty()) {
			return; // not bound (yet, or any more)
		}
		try {
			bindings.changeState(this.bindingName, open ? State.PAUSED : State.RESUMED);
			this.pausedByBreaker = open;
			if (open) {
				logger.warn("Circuit breaker '{}' is {}: paused binding '{}'; its events wait in the broker until "
						+ "the channel recovers", this.breaker.getName(), state, this.bindingName);
			}
			else {
				logger.info("Circuit breaker '{}' is {}: resumed binding '{}'", this.breaker.getName(), state,
						this.bindingName);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Could not {} binding '{}' for circuit breaker '{}' ({}): {}", open ? "pause" : "resume",
					this.bindingName, this.breaker.getName(), state, ex.toString());
		}
	}

}
