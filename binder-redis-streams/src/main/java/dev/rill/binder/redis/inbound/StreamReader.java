package dev.rill.binder.redis.inbound;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

/**
 * The Redis commands of one consumer of one group on one stream key, over a connection of
 * its own.
 * <p>
 * Spring Data Redis' Lettuce connection runs a blocking {@code XREADGROUP} on a dedicated
 * native connection that belongs to this {@link RedisConnection}, while non-blocking
 * commands ({@code XACK}, {@code XPENDING}) use the application's shared connection: so a
 * read that waits for new entries never stalls producers, acknowledgements or other
 * consumers. The connection is opened lazily and replaced after a failure.
 */
final class StreamReader implements AutoCloseable {

	private final RedisConnectionFactory connectionFactory;

	private final byte[] key;

	private final String keyName;

	private final Consumer consumer;

	private volatile RedisConnection connection;

	private volatile boolean aborted;

	StreamReader(RedisConnectionFactory connectionFactory, String key, String group, String consumerName) {
		this.connectionFactory = connectionFactory;
		this.keyName = key;
		this.key = key.getBytes(StandardCharsets.UTF_8);
		this.consumer = Consumer.from(group, consumerName);
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

	void ack(List<RecordId> ids) {
		if (!ids.isEmpty()) {
			streams().xAck(this.key, this.consumer.getGroup(), ids.toArray(RecordId[]::new));
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
