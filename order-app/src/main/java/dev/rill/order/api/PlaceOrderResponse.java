package dev.rill.order.api;

/**
 * The answer to {@code POST /orders}: the order was accepted and its saga started.
 *
 * @param orderId the order's id
 * @param status always {@code PLACED}: the answer to the placement, even when an
 * {@code Idempotency-Key} returns an order that has moved on since
 */
public record PlaceOrderResponse(String orderId, String status) {
}
