package dev.rill.order.placement;

/**
 * The {@code OrderPlaced} event of an order was handed to the transport but not confirmed in
 * time: it may or may not have been written (a Redis that was frozen or slow writes it when it
 * resumes). The order's record and its {@code Idempotency-Key} are kept, bound to each other: a
 * retry with the key re-sends the same event and answers with this order, never with a second
 * one; an event that was written is processed like any other.
 */
public class OrderOutcomeUnknownException extends RuntimeException {

	private final String orderId;

	private final boolean retryable;

	/**
	 * @param orderId the order whose outcome is unknown
	 * @param retryable whether the request had an {@code Idempotency-Key} that now stands for
	 * this order, so that a retry with it is safe
	 */
	public OrderOutcomeUnknownException(String orderId, boolean retryable) {
		super("OrderPlaced of order " + orderId + " was not confirmed in time; it may or may not have been written");
		this.orderId = orderId;
		this.retryable = retryable;
	}

	/**
	 * @return the order whose outcome is unknown
	 */
	public String getOrderId() {
		return this.orderId;
	}

	/**
	 * @return whether a retry with the request's {@code Idempotency-Key} finishes this order
	 */
	public boolean isRetryable() {
		return this.retryable;
	}

}
