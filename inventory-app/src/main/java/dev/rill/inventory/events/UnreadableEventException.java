package dev.rill.inventory.events;

/**
 * A consumed message whose payload could not be read as the event its headers name: Spring
 * Cloud Stream hands such a payload (not JSON, or JSON of another shape) to the function
 * unconverted, as raw bytes. Another attempt reads the same bytes, so it is an
 * {@link IllegalArgumentException}, which the bindings do not retry: the message goes to the
 * dead letters at the first attempt, with this exception's message in {@code x-exception-message}.
 */
public class UnreadableEventException extends IllegalArgumentException {

	/**
	 * @param expected the event the payload should have been, e.g. {@code OrderPlaced}
	 * @param payload what the function received instead (described by type and size, never
	 * dumped: it is in the dead letter anyway)
	 */
	public UnreadableEventException(String expected, Object payload) {
		this(expected, payload, "not JSON, or not the JSON of " + expected);
	}

	/**
	 * @param expected the event the payload should have been, e.g. {@code OrderPlaced}
	 * @param payload what arrived instead (described by type and size, never dumped)
	 * @param reason why it cannot be that event
	 */
	public UnreadableEventException(String expected, Object payload, String reason) {
		super("Unreadable " + expected + " payload (" + describe(payload) + "): " + reason);
	}

	private static String describe(Object payload) {
		if (payload instanceof byte[] bytes) {
			return bytes.length + " bytes";
		}
		return (payload != null) ? payload.getClass().getSimpleName() : "null";
	}

}
