package dev.rill.order;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.support.ErrorMessage;

/**
 * Collects what reaches the application's {@code errorChannel}: the failures a binding gave up
 * on after its retries (what a real binder would dead-letter).
 */
public final class ErrorCollector implements MessageHandler {

	public final List<ErrorMessage> errors = new CopyOnWriteArrayList<>();

	@Override
	public void handleMessage(Message<?> message) {
		if (message instanceof ErrorMessage error) {
			this.errors.add(error);
		}
	}

	/**
	 * @return the root cause of each failure
	 */
	public List<Throwable> rootCauses() {
		return this.errors.stream().map(error -> {
			Throwable cause = error.getPayload();
			while (cause.getCause() != null && cause.getCause() != cause) {
				cause = cause.getCause();
			}
			return cause;
		}).toList();
	}

}
