package dev.rill.order.placement;

import java.util.List;

import dev.rill.order.events.OrderLine;

/**
 * A validated order to place.
 *
 * @param customerId who orders
 * @param email where the customer is told
 * @param items what is ordered
 */
public record NewOrder(String customerId, String email, List<OrderLine> items) {
}
