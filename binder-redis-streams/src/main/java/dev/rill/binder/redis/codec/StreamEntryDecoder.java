package dev.rill.binder.redis.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Reads the payload and headers back from the fields of a stream entry written by
 * {@link StreamEntryEncoder}. Fields other than {@code payload} become string headers,
 * except those that {@code rill_headerTypes} lists, which get their type back.
 */
public final class StreamEntryDecoder {

	private static final Log logger = LogFactory.getLog(StreamEntryDecoder.class);

	/**
	 * Decode entry fields.
	 * @param fields the entry's fields
	 * @return the payload and headers
	 * @throws MalformedStreamEntryException when the entry has no {@code payload} field
	 */
	public DecodedEntry decode(Map<byte[], byte[]> fields) {
		Map<String, Object> headers = new HashMap<>(capacityFor(fields.size()));
		byte[] payload = decodeInto(fields, headers);
		return new DecodedEntry(payload, headers);
	}

	/**
	 * Decode entry fields, putting the headers into a map of the caller's, so that a
	 * consumed message's headers are built in one map.
	 * @param fields the entry's fields
	 * @param headers where the headers go
	 * @return the payload
	 * @throws MalformedStreamEntryException when the entry has no {@code payload} field
	 */
	public byte[] decodeInto(Map<byte[], byte[]> fields, Map<String, Object> headers) {
		byte[] payload = null;
		byte[] types = null;
		for (Map.Entry<byte[], byte[]> field : fields.entrySet()) {
			if (Arrays.equals(field.getKey(), StreamEntryFields.PAYLOAD_BYTES)) {
				payload = field.getValue();
			}
			else if (Arrays.equals(field.getKey(), StreamEntryFields.HEADER_TYPES_BYTES)) {
				types = field.getValue();
			}
		}
		Map<String, HeaderValueType> typed = (types != null) ? parseTypes(new String(types, StandardCharsets.UTF_8))
				: Map.of();
		for (Map.Entry<byte[], byte[]> field : fields.entrySet()) {
			byte[] name = field.getKey();
			if (Arrays.equals(name, StreamEntryFields.PAYLOAD_BYTES)
					|| Arrays.equals(name, StreamEntryFields.HEADER_TYPES_BYTES)) {
				continue;
			}
			String header = new String(name, StandardCharsets.UTF_8);
			headers.put(header, value(header, field.getValue(), typed.get(header)));
		}
		if (payload == null) {
			throw new MalformedStreamEntryException("The entry has no '" + StreamEntryFields.PAYLOAD
					+ "' field; its fields are " + headers.keySet());
		}
		return payload;
	}

	/**
	 * @param entries how many entries a {@link HashMap} will hold
	 * @return the initial capacity that holds them without resizing
	 */
	public static int capacityFor(int entries) {
		return (int) (entries / 0.75f) + 1;
	}

	private static Map<String, HeaderValueType> parseTypes(String types) {
		Map<String, HeaderValueType> typed = new HashMap<>();
		for (String pair : types.split(";")) {
			int colon = pair.lastIndexOf(':');
			HeaderValueType type = (colon > 0) ? HeaderValueType.forCode(pair.substring(colon + 1)) : null;
			if (type != null) {
				typed.put(pair.substring(0, colon), type);
			}
		}
		return typed;
	}

	private static Object value(String name, byte[] raw, HeaderValueType type) {
		if (type != null) {
			try {
				return type.decode(raw);
			}
			catch (RuntimeException ex) {
				// A value that does not parse as its declared type stays a string rather than
				// failing the entry: headers are metadata, the payload is what must arrive.
				logger.debug("Header '" + name + "' is not a valid " + type.code() + "; kept as a string");
			}
		}
		return new String(raw, StandardCharsets.UTF_8);
	}

}
