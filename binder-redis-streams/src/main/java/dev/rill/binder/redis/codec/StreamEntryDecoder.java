package dev.rill.binder.redis.codec;

import java.nio.charset.StandardCharsets;
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
		byte[] payload = null;
		String types = null;
		Map<String, byte[]> rawHeaders = new HashMap<>();
		for (Map.Entry<byte[], byte[]> field : fields.entrySet()) {
			String name = new String(field.getKey(), StandardCharsets.UTF_8);
			if (StreamEntryFields.PAYLOAD.equals(name)) {
				payload = field.getValue();
			}
			else if (StreamEntryFields.HEADER_TYPES.equals(name)) {
				types = new String(field.getValue(), StandardCharsets.UTF_8);
			}
			else {
				rawHeaders.put(name, field.getValue());
			}
		}
		if (payload == null) {
			throw new MalformedStreamEntryException("The entry has no '" + StreamEntryFields.PAYLOAD
					+ "' field; its fields are " + rawHeaders.keySet());
		}
		Map<String, Object> headers = new HashMap<>(rawHeaders.size() + 8);
		rawHeaders.forEach((name, raw) -> headers.put(name, new String(raw, StandardCharsets.UTF_8)));
		if (types != null) {
			restoreTypes(types, rawHeaders, headers);
		}
		return new DecodedEntry(payload, headers);
	}

	private static void restoreTypes(String types, Map<String, byte[]> rawHeaders, Map<String, Object> headers) {
		for (String pair : types.split(";")) {
			int colon = pair.lastIndexOf(':');
			String name = (colon > 0) ? pair.substring(0, colon) : pair;
			HeaderValueType type = (colon > 0) ? HeaderValueType.forCode(pair.substring(colon + 1)) : null;
			byte[] raw = rawHeaders.get(name);
			if (type == null || raw == null) {
				continue;
			}
			try {
				headers.put(name, type.decode(raw));
			}
			catch (RuntimeException ex) {
				// A value that does not parse as its declared type stays a string rather than
				// failing the entry: headers are metadata, the payload is what must arrive.
				logger.debug("Header '" + name + "' is not a valid " + type.code() + "; kept as a string");
			}
		}
	}

}
