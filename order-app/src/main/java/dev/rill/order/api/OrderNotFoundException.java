package dev.rill.order.api;

/**
 * The read model has no order with the requested id.
 */
public class OrderNotFoundException extends RuntimeException {

	/**
	 * @param orderId the requested id
	 */
	public OrderNotFoundException(String orderId) {
		super("No order " + orderId);
	}

}
