package dev.rill.binder.redis.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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

	/**
	 * Encode a message as entry fields, payload first.
	 * @param message the message; its payload must be {@code byte[]} or a {@code String}
	 * @return the fields, in a map that keeps insertion order
	 * @throws MessageConversionException when the payload is of another type
	 */
	public Map<ByteBuffer, ByteBuffer> encode(Message<?> message) {
		Map<ByteBuffer, ByteBuffer> fields = new LinkedHashMap<>();
		fields.put(ByteBuffer.wrap(StreamEntryFields.PAYLOAD_BYTES), ByteBuffer.wrap(payloadBytes(message)));
		StringBuilder types = new StringBuilder();
		message.getHeaders().forEach((name, value) -> {
			if (NOT_WRITTEN.contains(name) || name.startsWith(RedisStreamsHeaders.PREFIX) || value == null) {
				return;
			}
			byte[] encoded = encodeValue(name, value, types);
			if (encoded != null) {
				fields.put(utf8(name), ByteBuffer.wrap(encoded));
			}
		});
		if (types.length() > 0) {
			fields.put(ByteBuffer.wrap(StreamEntryFields.HEADER_TYPES_BYTES), utf8(types.toString()));
		}
		return fields;
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

	private static byte[] encodeValue(String name, Object value, StringBuilder types) {
		HeaderValueType type = HeaderValueType.forValue(value);
		if (type != null) {
			types.append(types.length() > 0 ? ";" : "").append(name).append(':').append(type.code());
			return type.encode(value);
		}
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

	private static ByteBuffer utf8(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

}
