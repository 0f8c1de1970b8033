package dev.rill.notification.notify;

import java.time.Instant;
import java.util.UUID;

import dev.rill.notification.events.OrderStatus;
import dev.rill.notification.events.OrderStatusEvent;

/**
 * What the customer is to be told: the status of an order (and why, when rejected).
 *
 * @param eventId the event that asked for the notice
 * @param orderId the order
 * @param customerId the customer
 * @param email where to tell the customer
 * @param status the order's status
 * @param reason why it was rejected, or {@code null}
 * @param occurredAt when the status was decided
 */
public record Notice(UUID eventId, String orderId, String customerId, String email, OrderStatus status,
		String reason, Instant occurredAt) {

	/**
	 * @param event a validated event
	 * @param status the status its {@code eventType} announces
	 * @return the notice for it
	 */
	public static Notice of(OrderStatusEvent event, OrderStatus status) {
		return new Notice(event.eventId(), event.orderId(), event.customerId(), event.email(), status,
				(status == OrderStatus.REJECTED) ? event.reason() : null, event.occurredAt());
	}

}
