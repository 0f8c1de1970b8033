package dev.rill.order.api;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.rill.order.events.OrderLine;
import dev.rill.order.store.OrderRecord;

/**
 * The answer to {@code GET /orders/{id}}.
 *
 * @param orderId the order
 * @param status {@code PLACED}, {@code CONFIRMED} or {@code REJECTED}
 * @param reason why it was rejected; absent otherwise
 * @param customerId who ordered
 * @param email where the customer is told
 * @param items what was ordered
 * @param updatedAt when the status last changed
 */
public record OrderView(String orderId, String status, @JsonInclude(JsonInclude.Include.NON_NULL) String reason,
		String customerId, String email, List<OrderLine> items, Instant updatedAt) {

	static OrderView of(OrderRecord order) {
		return new OrderView(order.orderId(), order.status().name(), order.reason(), order.customerId(),
				order.email(), order.items(), order.updatedAt());
	}

}
