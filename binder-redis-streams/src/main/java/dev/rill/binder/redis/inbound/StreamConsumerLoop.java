package dev.rill.binder.redis.inbound;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.rill.binder.redis.properties.StartPosition;
import dev.rill.binder.redis.provisioning.ConsumerGroupAdmin;
import dev.rill.binder.redis.provisioning.RedisErrorReply;

import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * One consumer of a group reading one stream key: the unit of concurrency of a consumer
 * binding, running on a thread of its own.
 * <p>
 * It first drains its own pending entries (those delivered to this consumer name but not
 * acknowledged, for example before a lost connection or a restart under a stable
 * {@code consumer-name}), then reads new entries with a blocking {@code XREADGROUP}.
 * After any Redis failure it backs off (bounded exponential), reconnects and drains its
 * pending entries again, since the replies lost with the connection may have carried
 * entries. A group that has disappeared (Redis restarted without persistence) is created
 * again. The loop only ends when the binding stops.
 */
final class StreamConsumerLoop implements Runnable, PendingEntryOwner {

	private static final Log logger = LogFactory.getLog(StreamConsumerLoop.class);

	private static final long FIRST_DELIVERY = 1L;

	private final StreamReader reader;

	private final StreamEntryProcessor processor;

	private final ConsumptionControl control;

	private final ConsumerGroupAdmin groupAdmin;

	private final StartPosition startPosition;

	private final int readCount;

	private final Duration blockTime;

	private final BackOff failureBackOff;

	/** When this consumer was created: health's reference until its first read succeeds. */
	private final Instant createdAt = Instant.now();

	private volatile Instant lastSuccessfulRead;

	private volatile Throwable lastFailure;

	/** True from creation (the thread is started right after) until the loop ends. */
	private volatile boolean alive = true;

	/** The entries of the read being processed (some may be acknowledged already). */
	private volatile List<RecordId> held = List.of();

	/** Set when entries were claimed for this consumer: they are in its pending list. */
	private volatile boolean drainRequested;

	StreamConsumerLoop(StreamReader reader, StreamEntryProcessor processor, ConsumptionControl control,
			ConsumerGroupAdmin groupAdmin, StartPosition startPosition, int readCount, Duration blockTime,
			BackOff failureBackOff) {
		this.reader = reader;
		this.processor = processor;
		this.control = control;
		this.groupAdmin = groupAdmin;
		this.startPosition = startPosition;
		this.readCount = readCount;
		this.blockTime = blockTime;
		this.failureBackOff = failureBackOff;
	}

	@Override
	public void run() {
		try {
			consume();
			this.reader.awaitAcknowledged();
			// Names of stopped instances must not pile up in the group; one that still
			// holds entries stays, so that its entries can be claimed. Skipped while Redis
			// fails: the clean-up would only hold up the shutdown for a command timeout.
			if (this.lastFailure == null) {
				this.groupAdmin.removeConsumerIfNoPending(this.reader.key(), this.reader.group(),
						this.reader.consumerName());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			if (this.control.isRunning()) {
				logger.warn("Consumer '" + consumerName() + "' stopped with an error", ex);
			}
		}
		finally {
			this.reader.close();
			this.alive = false;
		}
	}

	private void consume() throws InterruptedException {
		String drainAfter = "0";
		BackOffExecution backOff = null;
		while (this.control.awaitReadAllowed()) {
			try {
				if (drainAfter == null && this.drainRequested) {
					this.drainRequested = false;
					drainAfter = "0";
				}
				if (drainAfter != null) {
					drainAfter = drainOwnPending(drainAfter);
				}
				else {
					List<ByteRecord> records = this.reader.readNew(this.readCount, this.blockTime);
					this.lastSuccessfulRead = Instant.now();
					hold(records);
					// A read that was already waiting when the binding was paused is held back
					// until it resumes; if it stops instead, the entries stay pending.
					if (!records.isEmpty() && !this.control.awaitReadAllowed()) {
						return;
					}
					this.processor.process(this.reader, records, id -> FIRST_DELIVERY);
					release();
				}
				if (backOff != null) {
					logger.info("Consumer '" + consumerName() + "' reads again");
					backOff = null;
				}
				this.lastFailure = null;
			}
			catch (RuntimeException ex) {
				release();
				if (!this.control.isRunning()) {
					return;
				}
				this.lastFailure = ex;
				drainAfter = "0";
				if (RedisErrorReply.hasCode(ex, "NOGROUP")) {
					recreateGroup();
					continue;
				}
				this.reader.close();
				if (backOff == null) {
					backOff = this.failureBackOff.start();
				}
				long wait = backOff.nextBackOff();
				logger.warn("Consumer '" + consumerName() + "' failed to read: "
						+ RedisErrorReply.reasonOf(ex) + "; retrying in " + wait + " ms");
				this.control.sleep(Duration.ofMillis(wait));
			}
		}
	}

	/**
	 * Process the next slice of this consumer's own pending entries.
	 * @return the id to continue after, or {@code null} once nothing is left
	 */
	private String drainOwnPending(String after) {
		List<ByteRecord> records = this.reader.readOwnPending(after, this.readCount);
		this.lastSuccessfulRead = Instant.now();
		if (records.isEmpty()) {
			return null;
		}
		RecordId first = records.get(0).getId();
		RecordId last = records.get(records.size() - 1).getId();
		Map<RecordId, Long> counts = this.reader.deliveryCounts(first, last, records.size());
		logger.info("Consumer '" + consumerName() + "' redelivers " + records.size()
				+ " of its own pending entries, from " + first);
		hold(records);
		this.processor.process(this.reader, records, id -> counts.getOrDefault(id, FIRST_DELIVERY));
		release();
		return last.getValue();
	}

	private void recreateGroup() {
		recreateGroup(this.groupAdmin, this.reader, this.startPosition);
	}

	/**
	 * Create the reader's group again after Redis answered {@code NOGROUP}, and say what
	 * was lost.
	 */
	static void recreateGroup(ConsumerGroupAdmin groupAdmin, StreamReader reader, StartPosition startPosition) {
		if (groupAdmin.createGroupIfAbsent(reader.key(), reader.group(), startPosition)) {
			logger.warn("Consumer group '" + reader.group() + "' of stream '" + reader.key()
					+ "' had disappeared (was Redis restarted without persistence?); created it again at "
					+ startPosition + ". Entries and pending entries of the lost group are gone.");
		}
	}

	private void hold(List<ByteRecord> records) {
		this.held = records.isEmpty() ? List.of() : records.stream().map(ByteRecord::getId).toList();
	}

	private void release() {
		this.held = List.of();
	}

	@Override
	public List<RecordId> heldEntries() {
		return this.held;
	}

	@Override
	public void requestDrain() {
		this.drainRequested = true;
	}

	@Override
	public StreamReader reader() {
		return this.reader;
	}

	String consumerName() {
		return this.reader.consumerName() + "@" + this.reader.key() + "/" + this.reader.group();
	}

	/**
	 * @return what this consumer is doing, for health
	 */
	ConsumerState state() {
		Throwable failure = this.lastFailure;
		// The most specific cause: Redis' own reply (NOPERM ...) rather than a wrapper's
		// "Error in execution".
		return new ConsumerState(this.reader.key(), this.reader.group(), this.reader.consumerName(), this.alive,
				this.createdAt, this.lastSuccessfulRead,
				(failure != null) ? RedisErrorReply.reasonOf(failure) : null);
	}

	/**
	 * Interrupt a read that blocks longer than the binding's shutdown allows.
	 */
	void abort() {
		this.reader.abort();
	}

}
