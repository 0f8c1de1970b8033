package dev.rill.binder.redis.inbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.rill.binder.redis.inbound.StreamEntryMessages.EntryMessage;
import dev.rill.binder.redis.properties.StartPosition;
import dev.rill.binder.redis.provisioning.ConsumerGroupAdmin;
import dev.rill.binder.redis.provisioning.RedisErrorReply;

import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.integration.IntegrationMessageHeaderAccessor;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;

/**
 * The consumer of a {@link RedisStreamsPollableMessageSource} on one stream key: hands
 * out one entry per {@link #receive()}, never blocking.
 * <p>
 * It reads its own pending entries first ({@code XREADGROUP} from id {@code 0}, one at a
 * time, skipping those it has handed out and not yet had acknowledged), then new entries
 * ({@code >}, {@code COUNT 1}, no {@code BLOCK}). It reads its pending list again from the
 * start when an entry is requeued, after a Redis failure (the lost reply may have carried
 * an entry) and when the claimer gave it another consumer's entries.
 * <p>
 * Entries that must not reach the handler are dealt with inside {@code receive}, which
 * then goes on to the next entry: a trimmed entry (read back without fields) is
 * acknowledged; an unreadable entry or one delivered more than {@code max-deliveries}
 * times goes to the binding's error channel (and so to the dead-letter stream) and is
 * acknowledged once that worked, else left pending.
 */
final class PolledStreamConsumer implements PendingEntryOwner {

	private static final Log logger = LogFactory.getLog(PolledStreamConsumer.class);

	private static final long FIRST_DELIVERY = 1L;

	private static final String PENDING_START = "0";

	private final StreamReader reader;

	private final StreamEntryMessages messages;

	private final MessageDispatcher failures;

	private final ConsumerGroupAdmin groupAdmin;

	private final StartPosition startPosition;

	private final int maxEntriesPerReceive;

	private final ConsumerBindingListener listener;

	/** The entries handed out (or being dead-lettered) and not yet acknowledged. */
	private final Set<RecordId> held = ConcurrentHashMap.newKeySet();

	/** Where the read of the own pending list continues; {@code null} once it is done. */
	private String pendingCursor = PENDING_START;

	private volatile boolean drainRequested;

	private boolean stopped;

	/**
	 * @param reader reads the stream key as this consumer of the group
	 * @param messages builds the entries' messages
	 * @param failures hands entries that must not reach the handler to the error channel
	 * @param groupAdmin creates the group again when it disappeared
	 * @param startPosition where such a group starts
	 * @param maxEntriesPerReceive how many entries one receive may read and deal with
	 * (trimmed, unreadable or over their delivery limit) before it gives up for this time
	 * @param listener told what happens to the entries
	 */
	PolledStreamConsumer(StreamReader reader, StreamEntryMessages messages, MessageDispatcher failures,
			ConsumerGroupAdmin groupAdmin, StartPosition startPosition, int maxEntriesPerReceive,
			ConsumerBindingListener listener) {
		this.reader = reader;
		this.messages = messages;
		this.failures = failures;
		this.groupAdmin = groupAdmin;
		this.startPosition = startPosition;
		this.maxEntriesPerReceive = maxEntriesPerReceive;
		this.listener = listener;
	}

	/**
	 * @return the next entry's message, with an {@link StreamEntryAcknowledgment} in
	 * header {@link IntegrationMessageHeaderAccessor#ACKNOWLEDGMENT_CALLBACK}, or
	 * {@code null} when there is none right now
	 * @throws RuntimeException when Redis fails; the next call reconnects
	 */
	synchronized Message<?> receive() {
		try {
			return receiveOnce();
		}
		catch (RuntimeException ex) {
			if (!RedisErrorReply.hasCode(ex, "NOGROUP")) {
				throw ex;
			}
			recreateGroup();
			return receiveOnce();
		}
	}

	private Message<?> receiveOnce() {
		List<RecordId> trimmed = new ArrayList<>();
		try {
			for (int read = 0; read < this.maxEntriesPerReceive; read++) {
				Delivery delivery = readOne();
				if (delivery == null) {
					break;
				}
				ByteRecord record = delivery.record();
				if (StreamEntryMessages.isTrimmed(record)) {
					trimmed.add(record.getId());
					continue;
				}
				EntryMessage entry = this.messages.toMessage(this.reader, record, delivery.deliveryCount());
				if (entry.failure() == null) {
					acknowledgeTrimmed(trimmed);
					return handOut(entry.message(), record.getId());
				}
				handOverToErrorHandling(entry, record.getId());
			}
			acknowledgeTrimmed(trimmed);
			return null;
		}
		catch (RuntimeException ex) {
			// The reply lost with the connection may have carried an entry: it is in the
			// pending list now, so read that again first.
			this.pendingCursor = PENDING_START;
			this.reader.close();
			throw ex;
		}
	}

	/**
	 * The next entry: from the own pending list while it is being read, else a new one.
	 */
	private Delivery readOne() {
		if (this.drainRequested) {
			this.drainRequested = false;
			this.pendingCursor = PENDING_START;
		}
		while (this.pendingCursor != null) {
			List<ByteRecord> records = this.reader.readOwnPending(this.pendingCursor, 1);
			if (records.isEmpty()) {
				this.pendingCursor = null;
				break;
			}
			ByteRecord record = records.get(0);
			RecordId id = record.getId();
			this.pendingCursor = id.getValue();
			if (this.held.contains(id)) {
				// Handed out and not acknowledged yet: its handler still has it.
				continue;
			}
			long deliveryCount = this.reader.deliveryCounts(id, id, 1).getOrDefault(id, FIRST_DELIVERY);
			logger.info("Consumer '" + this.reader.consumerName() + "' redelivers its own pending "
					+ StreamEntryMessages.describe(this.reader, id));
			return new Delivery(record, deliveryCount);
		}
		List<ByteRecord> records = this.reader.readNew(1, Duration.ZERO);
		return records.isEmpty() ? null : new Delivery(records.get(0), FIRST_DELIVERY);
	}

	private Message<?> handOut(Message<byte[]> message, RecordId id) {
		StreamEntryAcknowledgment acknowledgment = new StreamEntryAcknowledgment(this, id);
		this.held.add(id);
		return MessageBuilder.fromMessage(message)
			.setHeader(IntegrationMessageHeaderAccessor.ACKNOWLEDGMENT_CALLBACK, acknowledgment)
			.setHeader(IntegrationMessageHeaderAccessor.SOURCE_DATA, message)
			.build();
	}

	private void handOverToErrorHandling(EntryMessage entry, RecordId id) {
		this.held.add(id);
		try {
			if (this.failures.dispatchFailed(entry.message(), () -> StreamEntryMessages.describe(this.reader, id),
					entry.failure())) {
				this.reader.ack(List.of(id));
			}
		}
		finally {
			this.held.remove(id);
		}
	}

	private void acknowledgeTrimmed(List<RecordId> trimmed) {
		if (!trimmed.isEmpty()) {
			StreamEntryProcessor.acknowledgeTrimmed(this.reader, trimmed, this.listener);
		}
	}

	private void recreateGroup() {
		this.reader.close();
		this.pendingCursor = PENDING_START;
		StreamConsumerLoop.recreateGroup(this.groupAdmin, this.reader, this.startPosition);
	}

	/**
	 * Acknowledge an entry handed out by {@link #receive()}: it was handled, or its failure
	 * was dealt with. If Redis fails, the entry stays pending and is read again.
	 */
	synchronized void acknowledge(RecordId id, boolean handled) {
		this.held.remove(id);
		try {
			this.reader.ack(List.of(id));
		}
		catch (RuntimeException ex) {
			this.reader.close();
			this.drainRequested = true;
			throw ex;
		}
		finally {
			if (this.stopped) {
				this.reader.close();
			}
		}
		if (handled) {
			this.listener.consumed(1);
		}
		else {
			this.listener.failed();
		}
	}

	/**
	 * Leave an entry handed out by {@link #receive()} pending and deliver it again: the next
	 * receive reads the own pending list from the start.
	 */
	void requeue(RecordId id) {
		this.held.remove(id);
		this.drainRequested = true;
	}

	/**
	 * Let go of the entries handed out and not acknowledged: the source stops. They stay
	 * pending (for this consumer name after a restart, or for the claimer of another
	 * instance); acknowledging them later still works.
	 */
	synchronized void stop() {
		this.stopped = true;
		try {
			this.groupAdmin.removeConsumerIfNoPending(this.reader.key(), this.reader.group(),
					this.reader.consumerName());
		}
		catch (RuntimeException ex) {
			logger.debug("Could not remove consumer '" + this.reader.consumerName() + "' from the group", ex);
		}
		this.reader.close();
	}

	@Override
	public StreamReader reader() {
		return this.reader;
	}

	@Override
	public List<RecordId> heldEntries() {
		return List.copyOf(this.held);
	}

	@Override
	public void requestDrain() {
		this.drainRequested = true;
	}

	private record Delivery(ByteRecord record, long deliveryCount) {
	}

}
