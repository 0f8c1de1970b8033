package dev.rill.order.store;

import java.time.Instant;
import java.util.List;

import dev.rill.order.events.OrderLine;

/**
 * An order as the read model knows it.
 *
 * @param orderId the order
 * @param status where it is in the saga
 * @param reason why it was rejected; null otherwise
 * @param customerId who ordered
 * @param email where the customer is told
 * @param items what was ordered
 * @param updatedAt when the status last changed
 */
public record OrderRecord(String orderId, OrderStatus status, String reason, String customerId, String email,
		List<OrderLine> items, Instant updatedAt) {

	/**
	 * @param orderId the order
	 * @param customerId who ordered
	 * @param email where the customer is told
	 * @param items what was ordered
	 * @param placedAt when it was accepted
	 * @return a new order, status {@link OrderStatus#PLACED}
	 */
	public static OrderRecord placed(String orderId, String customerId, String email, List<OrderLine> items,
			Instant placedAt) {
		return new OrderRecord(orderId, OrderStatus.PLACED, null, customerId, email, List.copyOf(items), placedAt);
	}

}
