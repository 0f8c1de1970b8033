package dev.rill.notification.channel;

/**
 * The outbound channel refused a notice for a reason that does not go away (e.g. the
 * webhook answered 400 or 422, or the mail address cannot be parsed). Neither retried nor
 * counted against the circuit breaker: the event is dead-lettered.
 */
public class NotificationRejectedException extends RuntimeException {

	public NotificationRejectedException(String message, Throwable cause) {
		super(message, cause);
	}

}
