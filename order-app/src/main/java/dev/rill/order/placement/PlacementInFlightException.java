package dev.rill.order.placement;

/**
 * Another request with the same {@code Idempotency-Key} is still placing its order: whether it
 * will exist is not known yet, so this request can neither return it nor place another.
 */
public class PlacementInFlightException extends RuntimeException {

	/**
	 * @param orderId the order the other request is placing
	 */
	public PlacementInFlightException(String orderId) {
		super("An order with this Idempotency-Key is still being placed (order " + orderId + ")");
	}

}
