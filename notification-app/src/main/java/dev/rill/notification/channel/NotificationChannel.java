package dev.rill.notification.channel;

import dev.rill.notification.notify.Notice;

/**
 * An outbound channel that tells the customer. Implementations send synchronously and
 * throw when the channel did not accept the notice:
 * <ul>
 * <li>{@link NotificationRejectedException} when the channel refused this notice for
 * good (retrying cannot help; the event is dead-lettered);</li>
 * <li>any other runtime exception when the channel failed (an outage): retried with
 * back-off and counted by the circuit breaker.</li>
 * </ul>
 * The caller's MDC ({@code correlationId}, {@code orderId}) is set during the call.
 */
public interface NotificationChannel {

	/**
	 * @return the channel's name as stored with each sent notification, e.g. {@code log}
	 */
	String name();

	/**
	 * Send one notice; return only once the channel accepted it.
	 * @param notice what to tell whom
	 */
	void send(Notice notice);

}
