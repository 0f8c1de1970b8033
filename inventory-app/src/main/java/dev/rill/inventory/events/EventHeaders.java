package dev.rill.inventory.events;

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

	/** The version of the events this service writes. */
	public static final String CURRENT_VERSION = "1";

	/**
	 * The versions this service reads: 2 is version 1 with added fields, which the tolerant
	 * readers ignore.
	 */
	static final Set<String> READABLE_VERSIONS = Set.of("1", "2");

	private EventHeaders() {
	}

	/**
	 * Check that a consumed message is an event this consumer understands.
	 * @param headers the message's headers
	 * @param expectedType the one event type the consumer reads
	 * @throws IllegalArgumentException for another or a missing type or an unknown version:
	 * not retryable (see the binding's {@code retryable-exceptions}), such an event goes to
	 * the dead letters
	 */
	public static void requireKnownEvent(MessageHeaders headers, String expectedType) {
		String type = text(headers.get(EVENT_TYPE));
		if (!expectedType.equals(type)) {
			throw new IllegalArgumentException(
					"Unknown eventType '" + type + "' (this consumer reads " + expectedType + ")");
		}
		String version = text(headers.get(EVENT_VERSION));
		if (version == null || !READABLE_VERSIONS.contains(version)) {
			throw new IllegalArgumentException("Unknown eventVersion '" + version + "' of " + type
					+ " (this consumer reads " + READABLE_VERSIONS.stream().sorted().toList() + ")");
		}
	}

	/**
	 * Read a header as text, whatever type the transport delivered it as: Redis Streams
	 * keeps strings and numbers, other transports may hand over raw or JSON-encoded bytes.
	 * @param value a header value, may be null
	 * @return its text, or null when absent or blank
	 */
	public static String text(Object value) {
		if (value == null) {
			return null;
		}
		String text = (value instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : value.toString();
		text = text.strip();
		// A JSON-encoded string header ("\"1\"") means the same as the bare one.
		if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
			text = text.substring(1, text.length() - 1);
		}
		return text.isEmpty() ? null : text;
	}

}
