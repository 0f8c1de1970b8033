package dev.rill.binder.redis.inbound;

/**
 * Why an entry was dead-lettered without running the handler: Redis has delivered it more
 * often than {@code max-deliveries}, which happens when processing it keeps killing the
 * consumer before it can acknowledge or dead-letter it.
 */
public class DeliveryLimitExceededException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public DeliveryLimitExceededException(long deliveryCount, int maxDeliveries) {
		super("Delivered " + deliveryCount + " times, more than max-deliveries (" + maxDeliveries
				+ "): not handled again");
	}

}
