package dev.rill.binder.redis.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.rill.binder.redis.RedisStreamsHeaders;

import org.springframework.cloud.stream.binder.BinderHeaders;
import org.springframework.integration.IntegrationMessageHeaderAccessor;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.util.MimeType;

/**
 * Turns a message into the fields of a stream entry: {@code payload} holds the payload
 * bytes as sent (so JSON stays readable in {@code redis-cli XRANGE}), and every header
 * that can travel becomes a field of its own.
 * <p>
 * Strings, numbers, booleans, UUIDs, byte arrays, MIME types and enums travel; numbers,
 * booleans, UUIDs and byte arrays keep their type (see {@link HeaderValueType}), MIME
 * types and enums arrive as strings. Values of any other type only make sense inside the
 * sending process (channels, callbacks) and are left out. Headers that Spring regenerates
 * or that describe one delivery ({@code id}, {@code timestamp}, the binder's own
 * {@code redis_*} headers, the partition routing header) are not written either.
 */
public final class StreamEntryEncoder {

	private static final Log logger = LogFactory.getLog(StreamEntryEncoder.class);

	private static final Set<String> NOT_WRITTEN = Set.of(MessageHeaders.ID, MessageHeaders.TIMESTAMP,
			BinderHeaders.PARTITION_HEADER, IntegrationMessageHeaderAccessor.DELIVERY_ATTEMPT,
			IntegrationMessageHeaderAccessor.SOURCE_DATA, IntegrationMessageHeaderAccessor.ACKNOWLEDGMENT_CALLBACK,
			StreamEntryFields.PAYLOAD, StreamEntryFields.HEADER_TYPES);

	/** Most header names whose UTF-8 form is kept: headers are a small, fixed set per application. */
	private static final int MAX_CACHED_NAMES = 1024;

	private final Map<String, byte[]> encodedNames = new ConcurrentHashMap<>();

	/**
	 * Encode a message as entry fields, payload first.
	 * @param message the message; its payload must be {@code byte[]} or a {@code String}
	 * @return the fields, in a map that keeps insertion order
	 * @throws MessageConversionException when the payload is of another type
	 */
	public Map<ByteBuffer, ByteBuffer> encode(Message<?> message) {
		byte[][] flat = encodeFields(message);
		Map<ByteBuffer, ByteBuffer> fields = new LinkedHashMap<>(flat.length);
		for (int i = 0; i < flat.length; i += 2) {
			fields.put(ByteBuffer.wrap(flat[i]), ByteBuffer.wrap(flat[i + 1]));
		}
		return fields;
	}

	/**
	 * Encode a message as entry fields, payload first, as {@code XADD} takes them: field
	 * name, value, field name, value, ... Header names are encoded once and reused, so
	 * the arrays of names are shared between calls and must not be modified.
	 * @param message the message; its payload must be {@code byte[]} or a {@code String}
	 * @return the names and values, alternating
	 * @throws MessageConversionException when the payload is of another type
	 */
	public byte[][] encodeFields(Message<?> message) {
		MessageHeaders headers = message.getHeaders();
		// payload, every header, the types field: never more than this many names and values
		byte[][] fields = new byte[2 * (headers.size() + 2)][];
		int size = 0;
		fields[size++] = StreamEntryFields.PAYLOAD_BYTES;
		fields[size++] = payloadBytes(message);
		StringBuilder types = null;
		for (Map.Entry<String, Object> header : headers.entrySet()) {
			String name = header.getKey();
			Object value = header.getValue();
			if (value == null || NOT_WRITTEN.contains(name) || name.startsWith(RedisStreamsHeaders.PREFIX)) {
				continue;
			}
			HeaderValueType type = HeaderValueType.forValue(value);
			byte[] encoded;
			if (type != null) {
				types = (types == null) ? new StringBuilder() : types.append(';');
				types.append(name).append(':').append(type.code());
				encoded = type.encode(value);
			}
			else {
				encoded = encodeText(name, value);
			}
			if (encoded != null) {
				fields[size++] = encodedName(name);
				fields[size++] = encoded;
			}
		}
		if (types != null) {
			fields[size++] = StreamEntryFields.HEADER_TYPES_BYTES;
			fields[size++] = types.toString().getBytes(StandardCharsets.UTF_8);
		}
		return (size == fields.length) ? fields : Arrays.copyOf(fields, size);
	}

	private byte[] encodedName(String name) {
		byte[] cached = this.encodedNames.get(name);
		if (cached != null) {
			return cached;
		}
		byte[] encoded = name.getBytes(StandardCharsets.UTF_8);
		if (this.encodedNames.size() < MAX_CACHED_NAMES) {
			this.encodedNames.putIfAbsent(name, encoded);
		}
		return encoded;
	}

	private static byte[] payloadBytes(Message<?> message) {
		Object payload = message.getPayload();
		if (payload instanceof byte[] bytes) {
			return bytes;
		}
		if (payload instanceof String text) {
			return text.getBytes(StandardCharsets.UTF_8);
		}
		throw new MessageConversionException(message, "The Redis Streams binder writes byte[] or String payloads, "
				+ "got " + payload.getClass().getName() + ": leave 'use-native-encoding' off so that Spring Cloud "
				+ "Stream converts the payload, or convert it yourself");
	}

	/** A header value written as text, or {@code null} for a type that does not travel. */
	private static byte[] encodeText(String name, Object value) {
		if (value instanceof CharSequence || value instanceof MimeType || value instanceof Enum<?>) {
			return value.toString().getBytes(StandardCharsets.UTF_8);
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Header '" + name + "' of type " + value.getClass().getName()
					+ " is not written to the stream: only strings, numbers, booleans, UUIDs, byte arrays, "
					+ "MIME types and enums travel");
		}
		return null;
	}

}
