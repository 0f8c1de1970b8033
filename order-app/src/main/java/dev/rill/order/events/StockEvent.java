package dev.rill.order.events;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * inventory-app's answer to an {@code OrderPlaced}, on destination {@code stock}: the
 * {@code eventType} header says whether the stock was reserved ({@value #RESERVED}) or not
 * ({@value #REJECTED}, with a {@code reason}). Both share this one record because their
 * payloads differ only in the reason.
 *
 * @param eventId unique id of this event
 * @param orderId the order
 * @param occurredAt when inventory decided
 * @param reason why the stock was not reserved; null for {@value #RESERVED}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StockEvent(String eventId, String orderId, Instant occurredAt, String reason) {

	/** The {@code eventType} of a successful reservation. */
	public static final String RESERVED = "StockReserved";

	/** The {@code eventType} of a refused reservation. */
	public static final String REJECTED = "StockRejected";

}
