package dev.rill.binder.redis.inbound;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.rill.binder.redis.RedisStreamsHeaders;
import dev.rill.binder.redis.codec.MalformedStreamEntryException;
import io.micrometer.observation.Observation;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.integration.support.ErrorMessageUtils;
import org.springframework.messaging.Message;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.retry.RecoveryCallback;
import org.springframework.retry.RetryContext;
import org.springframework.retry.support.RetryTemplate;

/**
 * Hands one message to the binding and decides whether its entry may be acknowledged.
 * <p>
 * The handler runs under the binding's retry template ({@code max-attempts},
 * {@code back-off-*}, {@code retryable-exceptions}). A conversion failure is not retried:
 * the same bytes would fail the same way; neither is an entry over {@code max-deliveries}. When the attempts are used up, the recovery
 * callback publishes the failure to the binding's error channel, where a dead-letter
 * handler or a user error handler may take it.
 * <ul>
 * <li>Handler succeeded, or recovery handled the failure: the entry is acknowledged.</li>
 * <li>Recovery failed and the binding has a dead-letter stream: the dead letter could
 * not be written, so the entry stays pending and is delivered again (never lost).</li>
 * <li>Recovery failed and there is no dead-letter stream (nothing but the final
 * rethrowing handler was subscribed): the failure is logged with the stream, group and
 * entry id and the entry is acknowledged, as the Kafka binder commits past a failed
 * record.</li>
 * </ul>
 * With observation on, all of this runs in one {@link ObservedDispatch receive observation}
 * per message, which records the failure that went to recovery.
 */
final class MessageDispatcher {

	private static final Log logger = LogFactory.getLog(MessageDispatcher.class);

	private final Consumer<Message<?>> sender;

	private final RetryTemplate retryTemplate;

	private final RecoveryCallback<?> recoveryCallback;

	private final boolean deadLetterEnabled;

	private final ConsumerBindingListener listener;

	private final BooleanSupplier running;

	private ObservedDispatch observedDispatch = ObservedDispatch.OFF;

	MessageDispatcher(Consumer<Message<?>> sender, RetryTemplate retryTemplate, RecoveryCallback<?> recoveryCallback,
			boolean deadLetterEnabled, ConsumerBindingListener listener, BooleanSupplier running) {
		this.running = running;
		this.sender = sender;
		this.retryTemplate = retryTemplate;
		this.recoveryCallback = recoveryCallback;
		this.deadLetterEnabled = deadLetterEnabled;
		this.listener = listener;
	}

	/**
	 * @param observedDispatch observes each dispatch (binder property
	 * {@code enable-observation}); set before the first dispatch
	 */
	void setObservedDispatch(ObservedDispatch observedDispatch) {
		this.observedDispatch = observedDispatch;
	}

	/**
	 * @param message the message built from one entry (or one batch of entries)
	 * @param entries describes the entries for log lines: stream, group and ids (built
	 * only when a line is logged)
	 * @return whether the entries may be acknowledged
	 */
	boolean dispatch(Message<?> message, Supplier<String> entries) {
		return dispatch(message, entries, this.sender);
	}

	/**
	 * Hand an entry that must not reach the handler straight to recovery: one that could
	 * not be read, or one delivered more often than {@code max-deliveries}.
	 * @param message what could be read of the entry
	 * @param entries describes the entry for log lines
	 * @param failure why the entry is not handled; not retried
	 * @return whether the entry may be acknowledged
	 */
	boolean dispatchFailed(Message<?> message, Supplier<String> entries, RuntimeException failure) {
		return dispatch(message, entries, unused -> {
			throw failure;
		});
	}

	private boolean dispatch(Message<?> message, Supplier<String> entries, Consumer<Message<?>> handler) {
		Observation observation = this.observedDispatch.start(message);
		try (Observation.Scope scope = observation.openScope()) {
			return dispatch(message, entries, handler, observation);
		}
		finally {
			observation.stop();
		}
	}

	private boolean dispatch(Message<?> message, Supplier<String> entries, Consumer<Message<?>> handler,
			Observation observation) {
		try {
			this.retryTemplate.execute(context -> {
				context.setAttribute(ErrorMessageUtils.FAILED_MESSAGE_CONTEXT_KEY, message);
				context.setAttribute(ErrorMessageUtils.INPUT_MESSAGE_CONTEXT_KEY, message);
				if (context.getRetryCount() > 0) {
					this.listener.retried();
				}
				long start = System.nanoTime();
				try {
					handler.accept(message);
					this.listener.consumed(entryCount(message));
				}
				catch (RuntimeException ex) {
					if (isNotRetryable(ex)) {
						context.setExhaustedOnly();
					}
					throw ex;
				}
				finally {
					this.listener.handled(System.nanoTime() - start);
				}
				return null;
			}, context -> {
				observation.error(context.getLastThrowable());
				return recoverUnlessShuttingDown(context);
			});
			return true;
		}
		catch (RuntimeException ex) {
			return afterUnrecoveredFailure(entries, ex);
		}
	}

	/**
	 * A handler aborted by a shutdown did not fail on its own: its entry must stay pending
	 * for redelivery, not be dead-lettered (which would deliver it twice) or dropped.
	 */
	private Object recoverUnlessShuttingDown(RetryContext context) throws Exception {
		if (isShuttingDown()) {
			throw new IllegalStateException("Not recovering: the consumer is shutting down",
					context.getLastThrowable());
		}
		if (isInfrastructureOutage(context.getLastThrowable())) {
			throw new IllegalStateException("Not recovering: the handler's data store is unavailable",
					context.getLastThrowable());
		}
		return this.recoveryCallback.recover(context);
	}

	/**
	 * A handler that failed because a data store (typically the very Redis that is
	 * restarting) could not be reached or timed out has not met a poison message: its entry
	 * must wait for the store, not go to the dead-letter stream or be dropped. It stays
	 * pending, and the claimer has it read again on a later turn ({@code max-deliveries}
	 * still bounds how often).
	 */
	static boolean isInfrastructureOutage(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof DataAccessResourceFailureException || cause instanceof TransientDataAccessException) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	private boolean isShuttingDown() {
		return !this.running.getAsBoolean() || Thread.currentThread().isInterrupted();
	}

	private boolean afterUnrecoveredFailure(Supplier<String> description, RuntimeException ex) {
		String entries = description.get();
		this.listener.failed();
		Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
		if (isShuttingDown()) {
			// See recoverUnlessShuttingDown: keep the entry for redelivery.
			logger.warn("Handler for " + entries + " was aborted by shutdown (" + cause + "); leaving it pending");
			return false;
		}
		if (isInfrastructureOutage(ex)) {
			logger.warn("Handler for " + entries + " failed because a data store is unavailable (" + cause
					+ "); leaving the entry pending, it is read again later");
			return false;
		}
		if (this.deadLetterEnabled) {
			logger.error("Could not dead-letter " + entries + " (" + cause + "); leaving it pending, "
					+ "it will be delivered again", ex);
			return false;
		}
		logger.error("Handler failed for " + entries + " (" + cause + "); no dead-letter stream is enabled, "
				+ "so the entry is acknowledged and dropped", ex);
		return true;
	}

	private static int entryCount(Message<?> message) {
		return (message.getHeaders().get(RedisStreamsHeaders.BATCH_HEADERS) instanceof List<?> entries)
				? entries.size() : 1;
	}

	/**
	 * Conversion failures fail the same way on every attempt, and an entry over its
	 * delivery limit must not run again.
	 */
	static boolean isNotRetryable(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof MessageConversionException || cause instanceof MalformedStreamEntryException
					|| cause instanceof DeliveryLimitExceededException) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

}
