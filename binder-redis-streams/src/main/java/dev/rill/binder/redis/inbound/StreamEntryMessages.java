package dev.rill.binder.redis.inbound;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import dev.rill.binder.redis.RedisStreamsHeaders;
import dev.rill.binder.redis.codec.MalformedStreamEntryException;
import dev.rill.binder.redis.codec.StreamEntryDecoder;

import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.GenericMessage;

/**
 * Builds the message of one stream entry the way every consumer of the binder delivers
 * it, message-driven or polled: the entry's payload and headers plus the binder's
 * {@code redis_*} headers (stream, entry id, group, consumer, delivery count), which take
 * precedence over same-named fields of the entry.
 * <p>
 * It also decides whether the entry may reach the handler at all: an entry that cannot be
 * read (no {@code payload} field) or that Redis delivered more often than
 * {@code max-deliveries} comes back with the reason, to be handed straight to error
 * handling (with what could be read of it, so that a dead letter keeps its fields).
 */
final class StreamEntryMessages {

	/** How many headers {@link #putBinderHeaders} adds. */
	private static final int BINDER_HEADER_COUNT = 5;

	private final StreamEntryDecoder decoder = new StreamEntryDecoder();

	private final int maxDeliveries;

	/**
	 * @param maxDeliveries the delivery count above which an entry is not handled again
	 */
	StreamEntryMessages(int maxDeliveries) {
		this.maxDeliveries = maxDeliveries;
	}

	/**
	 * @param record an entry as read
	 * @return whether it came back without fields: it was deleted (trimmed) after it was
	 * delivered, and there is nothing left to process
	 */
	static boolean isTrimmed(ByteRecord record) {
		return record.getValue() == null || record.getValue().isEmpty();
	}

	/**
	 * @param reader the reader that read the entry
	 * @param record the entry, with fields
	 * @param deliveryCount its Redis delivery count, this delivery included
	 * @return its message, and why it must not reach the handler if so
	 */
	EntryMessage toMessage(StreamReader reader, ByteRecord record, long deliveryCount) {
		Map<byte[], byte[]> fields = record.getValue();
		// One map, sized for the entry's fields and the binder's headers, becomes the
		// message's headers: MessageHeaders copies it once more, and nothing else does.
		Map<String, Object> headers = new HashMap<>(
				StreamEntryDecoder.capacityFor(fields.size() + BINDER_HEADER_COUNT + 2));
		try {
			byte[] payload = this.decoder.decodeInto(fields, headers);
			putBinderHeaders(headers, reader, record.getId(), deliveryCount);
			RuntimeException overLimit = (deliveryCount > this.maxDeliveries)
					? new DeliveryLimitExceededException(deliveryCount, this.maxDeliveries) : null;
			return new EntryMessage(new GenericMessage<>(payload, new MessageHeaders(headers)), overLimit);
		}
		catch (MalformedStreamEntryException ex) {
			return new EntryMessage(unreadable(record, reader, deliveryCount), ex);
		}
	}

	/**
	 * @param payload the payload
	 * @param headers the headers; {@code id} and {@code timestamp} are left out (new ones are made)
	 * @return the message
	 */
	static <T> Message<T> message(T payload, Map<String, Object> headers) {
		Map<String, Object> copy = new HashMap<>(headers);
		copy.remove(MessageHeaders.ID);
		copy.remove(MessageHeaders.TIMESTAMP);
		return MessageBuilder.withPayload(payload).copyHeaders(copy).build();
	}

	/**
	 * @return how log lines name one entry: id, stream and group
	 */
	static String describe(StreamReader reader, RecordId id) {
		return "entry " + id + " of stream '" + reader.key() + "' for group '" + reader.group() + "'";
	}

	/** The binder's own headers; they take precedence over same-named fields of the entry. */
	private static void putBinderHeaders(Map<String, Object> headers, StreamReader reader, RecordId id,
			long deliveryCount) {
		headers.put(RedisStreamsHeaders.STREAM, reader.key());
		headers.put(RedisStreamsHeaders.ENTRY_ID, id.getValue());
		headers.put(RedisStreamsHeaders.GROUP, reader.group());
		headers.put(RedisStreamsHeaders.CONSUMER, reader.consumerName());
		headers.put(RedisStreamsHeaders.DELIVERY_COUNT, deliveryCount);
	}

	/** An entry that cannot be read: an empty payload, its raw fields as string headers. */
	private static Message<byte[]> unreadable(ByteRecord record, StreamReader reader, long deliveryCount) {
		Map<String, Object> headers = new HashMap<>();
		record.getValue()
			.forEach((field, value) -> headers.put(new String(field, StandardCharsets.UTF_8),
					new String(value, StandardCharsets.UTF_8)));
		putBinderHeaders(headers, reader, record.getId(), deliveryCount);
		return message(new byte[0], headers);
	}

	/**
	 * The message of one entry.
	 * @param message the message, with the binder's headers
	 * @param failure why it must not reach the handler (hand it to error handling
	 * instead), or {@code null} when it may
	 */
	record EntryMessage(Message<byte[]> message, RuntimeException failure) {

		/**
		 * @return the message's headers without {@code id} and {@code timestamp}, as
		 * batch mode lists them per entry
		 */
		Map<String, Object> headers() {
			Map<String, Object> headers = new HashMap<>(this.message.getHeaders());
			headers.remove(MessageHeaders.ID);
			headers.remove(MessageHeaders.TIMESTAMP);
			return headers;
		}

	}

}
