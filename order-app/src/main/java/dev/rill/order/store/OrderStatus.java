package dev.rill.order.store;

/**
 * Where an order is in the saga. PLACED is the only state that changes; the others are final.
 */
public enum OrderStatus {

	/** Accepted, waiting for inventory's answer. */
	PLACED,

	/** Stock was reserved. */
	CONFIRMED,

	/** Stock could not be reserved; the record says why. */
	REJECTED

}
