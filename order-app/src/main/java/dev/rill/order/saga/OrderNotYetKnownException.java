package dev.rill.order.saga;

/**
 * A stock event names an order the read model does not have. Retryable: the order may be on
 * its way (the read model is being rebuilt from {@code orders}); if it never arrives, the event
 * ends in the dead letters after the binding's retries.
 */
public class OrderNotYetKnownException extends RuntimeException {

	/**
	 * @param orderId the unknown order
	 */
	public OrderNotYetKnownException(String orderId) {
		super("Order " + orderId + " is not in the read model (yet)");
	}

}
