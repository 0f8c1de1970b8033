package dev.rill.notification.channel;

/**
 * The consumer thread was interrupted (a shutdown ran out of patience) while a notice
 * waited for the channel to recover. The notice was not sent; the interrupt flag stays
 * set so that the binder can tell an aborted handler from a failed one.
 */
public class NotificationInterruptedException extends RuntimeException {

	public NotificationInterruptedException(String orderId, Throwable cause) {
		super("Interrupted while the notice for order " + orderId + " waited for the channel", cause);
	}

}
