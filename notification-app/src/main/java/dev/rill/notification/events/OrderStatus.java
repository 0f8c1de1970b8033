package dev.rill.notification.events;

/**
 * The final status of an order that the customer is told about.
 */
public enum OrderStatus {

	/** The stock was reserved: {@code OrderConfirmed}. */
	CONFIRMED,

	/** The order could not be served: {@code OrderRejected}, with a reason. */
	REJECTED

}
