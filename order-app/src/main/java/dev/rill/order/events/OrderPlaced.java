package dev.rill.order.events;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * An order was accepted: the saga's first event, on destination {@code orders}. Read by
 * inventory-app, and by order-app itself to rebuild its read model.
 *
 * @param eventId the id of this event: a name-based UUID of the order id, the same for every send of
 * it (a send whose outcome was unknown is repeated with the same id)
 * @param orderId the order
 * @param customerId who ordered
 * @param email where the customer is told about the outcome
 * @param items what was ordered
 * @param occurredAt when the order was accepted
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OrderPlaced(String eventId, String orderId, String customerId, String email, List<OrderLine> items,
		Instant occurredAt) {

	/** The {@code eventType} header of this event. */
	public static final String TYPE = "OrderPlaced";

}
