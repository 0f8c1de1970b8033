package dev.rill.binder.redis.inbound;

import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.integration.acks.AcknowledgmentCallback;

/**
 * The acknowledgement of one entry handed out by a polled consumer, carried in header
 * {@code IntegrationMessageHeaderAccessor.ACKNOWLEDGMENT_CALLBACK}.
 * <ul>
 * <li>{@link Status#ACCEPT} (the handler returned) and {@link Status#REJECT} (it failed
 * and its failure was not recovered): {@code XACK}.</li>
 * <li>{@link Status#REQUEUE}: the entry stays pending and the next poll delivers it
 * again (its delivery count goes up).</li>
 * </ul>
 * Only the first acknowledgement counts. Spring Cloud Stream acknowledges automatically
 * when the handler returns, unless the handler called {@link #noAutoAck()}.
 */
final class StreamEntryAcknowledgment implements AcknowledgmentCallback {

	private static final Log logger = LogFactory.getLog(StreamEntryAcknowledgment.class);

	private final PolledStreamConsumer consumer;

	private final RecordId id;

	private final AtomicBoolean acknowledged = new AtomicBoolean();

	private volatile boolean autoAck = true;

	StreamEntryAcknowledgment(PolledStreamConsumer consumer, RecordId id) {
		this.consumer = consumer;
		this.id = id;
	}

	@Override
	public void acknowledge(Status status) {
		if (!this.acknowledged.compareAndSet(false, true)) {
			logger.debug("Entry " + this.id + " was acknowledged already; ignoring " + status);
			return;
		}
		switch (status) {
			case ACCEPT -> this.consumer.acknowledge(this.id, true);
			case REJECT -> this.consumer.acknowledge(this.id, false);
			case REQUEUE -> this.consumer.requeue(this.id);
		}
	}

	@Override
	public boolean isAcknowledged() {
		return this.acknowledged.get();
	}

	@Override
	public void noAutoAck() {
		this.autoAck = false;
	}

	@Override
	public boolean isAutoAck() {
		return this.autoAck;
	}

	@Override
	public String toString() {
		return "StreamEntryAcknowledgment[" + StreamEntryMessages.describe(this.consumer.reader(), this.id) + "]";
	}

	/**
	 * Called when the thread that received the entry polls again: if the entry was left
	 * unacknowledged although it was to be acknowledged automatically, the poll that
	 * received it ended before handing it to the handler (its payload could not be
	 * converted to the requested type, or an interceptor dropped it). It is requeued, so
	 * it is neither held forever nor lost; {@code max-deliveries} ends the loop of an entry
	 * that never converts.
	 */
	void requeueIfAbandoned() {
		if (this.autoAck && this.acknowledged.compareAndSet(false, true)) {
			logger.warn("A poll received " + StreamEntryMessages.describe(this.consumer.reader(), this.id)
					+ " but ended without handling or acknowledging it (for example its payload could not be "
					+ "converted); it stays pending and is delivered again");
			this.consumer.requeue(this.id);
		}
	}

}
