package dev.rill.inventory.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * inventory-app's answer to an {@code OrderPlaced} (destination {@code stock}): the stock of
 * the whole order was reserved ({@value #RESERVED}), or none of it was ({@value #REJECTED},
 * with a {@code reason}). One record serves both because their payloads differ only in the
 * reason; the {@code eventType} header tells them apart.
 *
 * @param eventId unique id of this event; the same when the answer is sent again for a
 * redelivered {@code OrderPlaced}
 * @param orderId the order
 * @param occurredAt when the stock was reserved or refused
 * @param reason why the stock was not reserved; absent (null) when it was
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StockEvent(UUID eventId, String orderId, Instant occurredAt, String reason) {

	/** The {@code eventType} of a reservation of the whole order. */
	public static final String RESERVED = "StockReserved";

	/** The {@code eventType} of a refused order. */
	public static final String REJECTED = "StockRejected";

	/**
	 * @return {@value #RESERVED} or {@value #REJECTED}, the {@code eventType} header of this
	 * event (not part of the payload)
	 */
	@JsonIgnore
	public String eventType() {
		return (this.reason == null) ? RESERVED : REJECTED;
	}

}
