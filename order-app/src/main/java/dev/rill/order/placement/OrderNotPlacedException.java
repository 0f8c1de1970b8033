package dev.rill.order.placement;

/**
 * The {@code OrderPlaced} event was not confirmed by the transport, so the order does not
 * exist: nothing was kept, and the client may retry (with the same {@code Idempotency-Key}).
 */
public class OrderNotPlacedException extends RuntimeException {

	private final String orderId;

	/**
	 * @param orderId the id the order would have had
	 * @param cause why the send failed, or null when it returned false
	 */
	public OrderNotPlacedException(String orderId, Throwable cause) {
		super("OrderPlaced for order " + orderId + " was not confirmed by the message broker", cause);
		this.orderId = orderId;
	}

	/**
	 * @return the id the order would have had
	 */
	public String getOrderId() {
		return this.orderId;
	}

}
