package dev.rill.binder.redis.inbound;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.rill.binder.redis.RedisStreamsHeaders;
import dev.rill.binder.redis.inbound.StreamEntryMessages.EntryMessage;

import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.messaging.Message;

/**
 * Turns the entries of one read into messages, dispatches them and acknowledges those
 * that may be, in {@code XACK} batches of at most {@code ack-batch-size}.
 * <p>
 * In record mode each entry is one message. In batch mode the whole read is one message
 * whose payload is the list of payloads and whose {@value RedisStreamsHeaders#BATCH_HEADERS}
 * header lists each entry's headers; the batch is acknowledged, or not, as a whole.
 * <p>
 * An entry that comes back without fields was deleted (trimmed) after it was delivered:
 * there is nothing left to process, so it is acknowledged and reported once per read,
 * which keeps pending lists free of ghosts.
 * <p>
 * Once the reader is {@linkplain StreamReader#abort() aborted} by a shutdown that ran out
 * of patience, no further entry of the read is handed to the handler: they stay pending.
 */
final class StreamEntryProcessor {

	private static final Log logger = LogFactory.getLog(StreamEntryProcessor.class);

	private final StreamEntryMessages messages;

	private final MessageDispatcher dispatcher;

	private final boolean batchMode;

	private final int ackBatchSize;

	private final ConsumerBindingListener listener;

	StreamEntryProcessor(MessageDispatcher dispatcher, boolean batchMode, int ackBatchSize, int maxDeliveries,
			ConsumerBindingListener listener) {
		this.dispatcher = dispatcher;
		this.batchMode = batchMode;
		this.ackBatchSize = ackBatchSize;
		this.messages = new StreamEntryMessages(maxDeliveries);
		this.listener = listener;
	}

	/**
	 * @param reader the reader that read the records, used to acknowledge them
	 * @param records the entries read
	 * @param deliveryCount the delivery count of each entry
	 */
	void process(StreamReader reader, List<ByteRecord> records, ToLongFunction<RecordId> deliveryCount) {
		List<ByteRecord> live = new ArrayList<>(records.size());
		List<RecordId> trimmed = new ArrayList<>();
		for (ByteRecord record : records) {
			if (StreamEntryMessages.isTrimmed(record)) {
				trimmed.add(record.getId());
			}
			else {
				live.add(record);
			}
		}
		if (!trimmed.isEmpty()) {
			acknowledgeTrimmed(reader, trimmed, this.listener);
		}
		if (live.isEmpty()) {
			return;
		}
		if (this.batchMode) {
			processBatch(reader, live, deliveryCount);
		}
		else {
			processEach(reader, live, deliveryCount);
		}
	}

	private void processEach(StreamReader reader, List<ByteRecord> records, ToLongFunction<RecordId> deliveryCount) {
		List<RecordId> acks = new ArrayList<>(Math.min(records.size(), this.ackBatchSize));
		for (ByteRecord record : records) {
			if (reader.isAborted()) {
				// The shutdown stopped waiting for this consumer: the application is closing,
				// so the entries not started yet stay pending for redelivery instead of
				// running against beans that are being destroyed.
				logger.warn("Consumer '" + reader.consumerName() + "' was aborted by shutdown; leaving "
						+ StreamEntryMessages.describe(reader, record.getId())
						+ " and the entries read with it pending");
				break;
			}
			EntryMessage entry = this.messages.toMessage(reader, record, deliveryCount.applyAsLong(record.getId()));
			RecordId id = record.getId();
			Supplier<String> description = () -> StreamEntryMessages.describe(reader, id);
			boolean ackable = (entry.failure() != null)
					? this.dispatcher.dispatchFailed(entry.message(), description, entry.failure())
					: this.dispatcher.dispatch(entry.message(), description);
			if (ackable) {
				acks.add(record.getId());
			}
			if (acks.size() >= this.ackBatchSize) {
				reader.acknowledge(acks);
				acks.clear();
			}
		}
		reader.acknowledge(acks);
	}

	private void processBatch(StreamReader reader, List<ByteRecord> records, ToLongFunction<RecordId> deliveryCount) {
		List<byte[]> payloads = new ArrayList<>(records.size());
		List<Map<String, Object>> batchHeaders = new ArrayList<>(records.size());
		for (ByteRecord record : records) {
			EntryMessage entry = this.messages.toMessage(reader, record, deliveryCount.applyAsLong(record.getId()));
			if (entry.failure() != null) {
				failAlone(reader, record, entry.message(), entry.failure());
				continue;
			}
			payloads.add(entry.message().getPayload());
			batchHeaders.add(entry.headers());
		}
		if (payloads.isEmpty()) {
			return;
		}
		Map<String, Object> headers = new HashMap<>(batchHeaders.get(0));
		headers.remove(RedisStreamsHeaders.ENTRY_ID);
		headers.remove(RedisStreamsHeaders.DELIVERY_COUNT);
		headers.put(RedisStreamsHeaders.BATCH_HEADERS, batchHeaders);
		int count = payloads.size();
		RecordId first = records.get(0).getId();
		Supplier<String> description = () -> count + " entries of stream '" + reader.key() + "' for group '"
				+ reader.group() + "' (from " + first + ")";
		if (this.dispatcher.dispatch(StreamEntryMessages.message(payloads, headers), description)) {
			List<RecordId> ids = batchHeaders.stream()
				.map(entry -> RecordId.of((String) entry.get(RedisStreamsHeaders.ENTRY_ID)))
				.toList();
			for (int from = 0; from < ids.size(); from += this.ackBatchSize) {
				reader.acknowledge(ids.subList(from, Math.min(ids.size(), from + this.ackBatchSize)));
			}
		}
	}

	/**
	 * One entry that must not reach the handler must not hold up the rest of its batch:
	 * it alone goes to error handling, and is acknowledged (or not) on its own.
	 */
	private void failAlone(StreamReader reader, ByteRecord record, Message<?> message, RuntimeException failure) {
		if (this.dispatcher.dispatchFailed(message, () -> StreamEntryMessages.describe(reader, record.getId()),
				failure)) {
			reader.acknowledge(List.of(record.getId()));
		}
	}

	/**
	 * Acknowledge entries that came back without fields (deleted from the stream while
	 * pending) and report them with one WARN.
	 */
	static void acknowledgeTrimmed(StreamReader reader, List<RecordId> trimmed, ConsumerBindingListener listener) {
		reader.ack(trimmed);
		listener.trimmed(trimmed.size());
		logger.warn(trimmed.size() + " entries pending for group '" + reader.group() + "' on stream '"
				+ reader.key() + "' were deleted from the stream (trimmed) before they were processed; "
				+ "acknowledged them, there is nothing left to deliver (first: " + trimmed.get(0) + ")");
	}

}
