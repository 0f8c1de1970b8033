package dev.rill.inventory.events;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * An order was placed (destination {@code orders}, written by order-app). A tolerant
 * reader: fields added by later versions are ignored.
 *
 * @param eventId unique id of this event
 * @param orderId the order
 * @param customerId who ordered
 * @param email where the customer is told about the order
 * @param items what was ordered
 * @param occurredAt when the order was placed
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OrderPlaced(String eventId, String orderId, String customerId, String email, List<Item> items,
		Instant occurredAt) {

	/**
	 * One line of the order.
	 *
	 * @param sku the stock keeping unit
	 * @param quantity how many
	 */
	@JsonIgnoreProperties(ignoreUnknown = true)
	public record Item(String sku, int quantity) {

	}

}
