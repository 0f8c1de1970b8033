package dev.rill.order.placement;

/**
 * The answer to a placement.
 *
 * @param orderId the order's id
 * @param replayed true when an {@code Idempotency-Key} returned an order placed before
 */
public record PlacedOrder(String orderId, boolean replayed) {
}
