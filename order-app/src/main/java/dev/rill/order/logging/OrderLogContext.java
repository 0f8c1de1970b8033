package dev.rill.order.logging;

import org.slf4j.MDC;

/**
 * Puts the order being handled into the SLF4J MDC, so that every log line of the call names it
 * (the shared logging pattern prints {@code correlationId}). Use with try-with-resources: closing
 * restores what the MDC held before, so nested use (an HTTP request already in context) is safe.
 */
public final class OrderLogContext implements AutoCloseable {

	/** MDC key of the correlation id. */
	public static final String CORRELATION_ID = "correlationId";

	/** MDC key of the order id. */
	public static final String ORDER_ID = "orderId";

	private final String previousCorrelationId;

	private final String previousOrderId;

	private OrderLogContext(String correlationId, String orderId) {
		this.previousCorrelationId = MDC.get(CORRELATION_ID);
		this.previousOrderId = MDC.get(ORDER_ID);
		put(CORRELATION_ID, correlationId);
		put(ORDER_ID, orderId);
	}

	/**
	 * @param correlationId the correlation id, may be null (then left as it is)
	 * @param orderId the order id, may be null (then left as it is)
	 * @return the open context; close it when the call is over
	 */
	public static OrderLogContext open(String correlationId, String orderId) {
		return new OrderLogContext(correlationId, orderId);
	}

	@Override
	public void close() {
		restore(CORRELATION_ID, this.previousCorrelationId);
		restore(ORDER_ID, this.previousOrderId);
	}

	private static void put(String key, String value) {
		if (value != null) {
			MDC.put(key, value);
		}
	}

	private static void restore(String key, String previous) {
		if (previous == null) {
			MDC.remove(key);
		}
		else {
			MDC.put(key, previous);
		}
	}

}
