package dev.rill.binder.redis.inbound;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.api.async.RedisStreamAsyncCommands;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStreamCommands;
import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.PendingMessage;
import org.springframework.data.redis.connection.stream.PendingMessages;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;

/**
 * The Redis commands of one consumer of one group on one stream key, over a connection of
 * its own.
 * <p>
 * Spring Data Redis' Lettuce connection runs a blocking {@code XREADGROUP} on a dedicated
 * native connection that belongs to this {@link RedisConnection}, while non-blocking
 * commands ({@code XACK}, {@code XPENDING}) use the application's shared connection: so a
 * read that waits for new entries never stalls producers, acknowledgements or other
 * consumers. The connection is opened lazily and replaced after a failure.
 * <p>
 * A message-driven consumer {@linkplain #acknowledge acknowledges} without waiting for
 * the {@code XACK}'s reply ({@link UnconfirmedAcks}): its next read does not wait for a
 * round trip that only confirms what was decided.
 */
final class StreamReader implements AutoCloseable {

	private final RedisConnectionFactory connectionFactory;

	private final byte[] key;

	private final String keyName;

	private final Consumer consumer;

	private final byte[] group;

	private final UnconfirmedAcks unconfirmedAcks = new UnconfirmedAcks();

	private volatile RedisConnection connection;

	private volatile boolean aborted;

	/**
	 * Longest wait for acknowledgements in flight; Lettuce's command timeout ends them
	 * sooner.
	 */
	private static final Duration ACK_REPLY_WAIT = Duration.ofSeconds(30);

	StreamReader(RedisConnectionFactory connectionFactory, String key, String group, String consumerName) {
		this.connectionFactory = connectionFactory;
		this.keyName = key;
		this.key = key.getBytes(StandardCharsets.UTF_8);
		this.consumer = Consumer.from(group, consumerName);
		this.group = group.getBytes(StandardCharsets.UTF_8);
	}

	String key() {
		return this.keyName;
	}

	String group() {
		return this.consumer.getGroup();
	}

	String consumerName() {
		return this.consumer.getName();
	}

	/**
	 * Read entries never delivered to the group ({@code >}), waiting up to {@code block}.
	 */
	List<ByteRecord> readNew(int count, Duration block) {
		this.unconfirmedAcks.throwIfFailed();
		StreamReadOptions options = StreamReadOptions.empty().count(count);
		if (!block.isZero()) {
			options = options.block(block);
		}
		return read(options, ReadOffset.lastConsumed());
	}

	/**
	 * Read this consumer's own pending entries with an id greater than {@code afterId}.
	 * Entries deleted from the stream since they were delivered come back with no fields.
	 */
	List<ByteRecord> readOwnPending(String afterId, int count) {
		awaitAcknowledged();
		this.unconfirmedAcks.throwIfFailed();
		return read(StreamReadOptions.empty().count(count), ReadOffset.from(afterId));
	}

	private List<ByteRecord> read(StreamReadOptions options, ReadOffset offset) {
		List<ByteRecord> records = streams().xReadGroup(this.consumer, options, StreamOffset.create(this.key, offset));
		return (records != null) ? records : List.of();
	}

	/**
	 * The delivery count of each of this consumer's pending entries between two ids.
	 */
	Map<RecordId, Long> deliveryCounts(RecordId first, RecordId last, int count) {
		PendingMessages pending = streams().xPending(this.key, this.consumer.getGroup(), this.consumer.getName(),
				Range.closed(first.getValue(), last.getValue()), (long) count);
		Map<RecordId, Long> counts = new HashMap<>();
		if (pending != null) {
			for (PendingMessage message : pending) {
				counts.put(message.getId(), message.getTotalDeliveryCount());
			}
		}
		return counts;
	}

	/**
	 * Acknowledge entries and wait for Redis' reply.
	 */
	void ack(List<RecordId> ids) {
		if (!ids.isEmpty()) {
			streams().xAck(this.key, this.consumer.getGroup(), ids.toArray(RecordId[]::new));
		}
	}

	/**
	 * Acknowledge entries without waiting for Redis' reply; a failure is raised by the
	 * next read ({@link UnconfirmedAcks}).
	 */
	void acknowledge(List<RecordId> ids) {
		if (ids.isEmpty()) {
			return;
		}
		RedisStreamAsyncCommands<byte[], byte[]> async = asyncCommands();
		if (async == null) {
			ack(ids);
			return;
		}
		String[] values = new String[ids.size()];
		for (int i = 0; i < values.length; i++) {
			values[i] = ids.get(i).getValue();
		}
		this.unconfirmedAcks.track(async.xack(this.key, this.group, values));
	}

	/**
	 * Wait for the replies of the acknowledgements sent so far, so that this consumer's
	 * pending list holds no entry it handled.
	 */
	void awaitAcknowledged() {
		try {
			this.unconfirmedAcks.awaitAll(ACK_REPLY_WAIT);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Give up on this consumer because the binding's shutdown ran out of patience:
	 * interrupts a blocking read by closing the connection, and tells whoever processes
	 * what it read to hand nothing more to the handler. Acknowledging what was already
	 * handled still works (on a new connection).
	 */
	void abort() {
		this.aborted = true;
		close();
	}

	/**
	 * @return whether {@link #abort()} was called
	 */
	boolean isAborted() {
		return this.aborted;
	}

	/**
	 * Lettuce's asynchronous commands on the application's shared connection (where the
	 * blocking-free {@code XACK} goes anyway), or {@code null} if the connection is not
	 * Lettuce's.
	 */
	private RedisStreamAsyncCommands<byte[], byte[]> asyncCommands() {
		streams();
		return (this.connection instanceof LettuceConnection lettuce) ? lettuce.getNativeConnection() : null;
	}

	private RedisStreamCommands streams() {
		if (this.connection == null || this.connection.isClosed()) {
			this.connection = this.connectionFactory.getConnection();
		}
		return this.connection.streamCommands();
	}

	/**
	 * Drop the current connection (after a failure, or to interrupt a blocking read); the
	 * next command opens a new one.
	 */
	@Override
	public void close() {
		RedisConnection current = this.connection;
		this.connection = null;
		if (current != null) {
			try {
				current.close();
			}
			catch (RuntimeException ex) {
				// The connection is broken already; nothing more to release.
			}
		}
	}

}
