package dev.rill.binder.redis.codec;

import java.nio.charset.StandardCharsets;

/**
 * The field names of a stream entry written by the binder. An entry holds the payload in
 * field {@value #PAYLOAD}, one field per message header, and, when some header values are
 * not strings, field {@value #HEADER_TYPES} recording their types so they are restored
 * with the same type.
 */
public final class StreamEntryFields {

	/** The field holding the payload bytes exactly as sent. */
	public static final String PAYLOAD = "payload";

	/** The field listing the non-string headers as {@code name:type} pairs separated by {@code ;}. */
	public static final String HEADER_TYPES = "rill_headerTypes";

	static final byte[] PAYLOAD_BYTES = PAYLOAD.getBytes(StandardCharsets.UTF_8);

	static final byte[] HEADER_TYPES_BYTES = HEADER_TYPES.getBytes(StandardCharsets.UTF_8);

	private StreamEntryFields() {
	}

}
