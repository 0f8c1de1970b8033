package dev.rill.order.events;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import org.springframework.messaging.MessageHeaders;

/**
 * The message headers every Rill event carries, and the checks a consumer makes on them.
 */
public final class EventHeaders {

	/** Names the event record, e.g. {@code OrderPlaced}. */
	public static final String EVENT_TYPE = "eventType";

	/** The contract version of the payload. */
	public static final String EVENT_VERSION = "eventVersion";

	/** The id that follows one order through all services and their log lines. */
	public static final String CORRELATION_ID = "correlationId";

	/** The order the event is about. */
	public static final String ORDER_ID = "orderId";

	/** The version this service writes. */
	public static final String CURRENT_VERSION = "1";

	/**
	 * The versions this service reads: 2 is version 1 with added fields, which the tolerant
	 * readers ignore.
	 */
	private static final Set<String> READABLE_VERSIONS = Set.of("1", "2");

	private EventHeaders() {
	}

	/**
	 * @param headers a consumed message's headers
	 * @param expectedTypes the event types the consumer understands
	 * @return the message's event type, one of {@code expectedTypes}
	 * @throws IllegalArgumentException for another or a missing type or an unknown version:
	 * not retryable, such an event goes to the dead letters
	 */
	public static String requireKnownEvent(MessageHeaders headers, Set<String> expectedTypes) {
		String type = text(headers.get(EVENT_TYPE));
		if (type == null || !expectedTypes.contains(type)) {
			throw new IllegalArgumentException(
					"Unknown eventType '" + type + "' (this consumer reads " + expectedTypes + ")");
		}
		String version = text(headers.get(EVENT_VERSION));
		if (version == null || !READABLE_VERSIONS.contains(version)) {
			throw new IllegalArgumentException(
					"Unknown eventVersion '" + version + "' of " + type + " (this consumer reads " + READABLE_VERSIONS
							+ ")");
		}
		return type;
	}

	/**
	 * Read a header as text, whatever type the transport delivered it as (Redis Streams keeps
	 * strings and numbers, other transports may hand over the raw bytes).
	 * @param value a header value, may be null
	 * @return its text, or null when absent or blank
	 */
	public static String text(Object value) {
		String text;
		if (value == null) {
			return null;
		}
		else if (value instanceof byte[] bytes) {
			text = new String(bytes, StandardCharsets.UTF_8);
		}
		else {
			text = value.toString();
		}
		text = text.strip();
		// A JSON-encoded string header ("\"1\"") means the same as the bare one.
		if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
			text = text.substring(1, text.length() - 1);
		}
		return text.isEmpty() ? null : text;
	}

}
