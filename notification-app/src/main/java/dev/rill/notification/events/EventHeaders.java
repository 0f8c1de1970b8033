package dev.rill.notification.events;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import org.springframework.messaging.MessageHeaders;

/**
 * The message headers of the event contract, and how this service reads them.
 * <p>
 * Unknown event types and versions are refused with an {@link IllegalArgumentException}:
 * such a message is not retried (the same headers would fail the same way) and goes to
 * the binding's dead-letter stream, where someone can look at it.
 */
public final class EventHeaders {

	/** Names the event record, e.g. {@code OrderConfirmed}. */
	public static final String EVENT_TYPE = "eventType";

	/** Version of the event contract; this service reads 1 and 2. */
	public static final String EVENT_VERSION = "eventVersion";

	/** Correlation id entered at the HTTP edge of order-app. */
	public static final String CORRELATION_ID = "correlationId";

	/** The order the event is about. */
	public static final String ORDER_ID = "orderId";

	/** Versions this service reads: 2 is version 1 plus added fields, which the tolerant reader ignores. */
	private static final Set<Integer> SUPPORTED_VERSIONS = Set.of(1, 2);

	private EventHeaders() {
	}

	/**
	 * @param headers the headers of a message from {@code order-status}
	 * @return the status the event announces
	 * @throws IllegalArgumentException when the event type or version is missing or unknown
	 */
	public static OrderStatus statusOf(MessageHeaders headers) {
		String type = text(headers, EVENT_TYPE);
		if (type == null) {
			throw new IllegalArgumentException("Missing header '" + EVENT_TYPE + "'");
		}
		OrderStatus status = switch (type) {
			case "OrderConfirmed" -> OrderStatus.CONFIRMED;
			case "OrderRejected" -> OrderStatus.REJECTED;
			default -> throw new IllegalArgumentException("Unknown " + EVENT_TYPE + " '" + type + "'");
		};
		String version = text(headers, EVENT_VERSION);
		if (version == null) {
			throw new IllegalArgumentException("Missing header '" + EVENT_VERSION + "'");
		}
		if (!SUPPORTED_VERSIONS.contains(parseVersion(version))) {
			throw new IllegalArgumentException("Unsupported " + EVENT_VERSION + " " + version + " of " + type
					+ " (supported: " + SUPPORTED_VERSIONS + ")");
		}
		return status;
	}

	/**
	 * A header as text: binders carry headers as strings, numbers or UUIDs depending on who
	 * wrote them (a Redis entry written by another tool has string fields only).
	 * @param headers the message headers
	 * @param name the header name
	 * @return the header's text, or {@code null} when absent or blank
	 */
	public static String text(MessageHeaders headers, String name) {
		Object value = headers.get(name);
		if (value instanceof byte[] bytes) {
			value = new String(bytes, StandardCharsets.UTF_8);
		}
		String text = (value != null) ? value.toString().trim() : null;
		return (text == null || text.isEmpty()) ? null : text;
	}

	private static int parseVersion(String version) {
		try {
			return Integer.parseInt(version);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("Malformed " + EVENT_VERSION + " '" + version + "'", ex);
		}
	}

}
