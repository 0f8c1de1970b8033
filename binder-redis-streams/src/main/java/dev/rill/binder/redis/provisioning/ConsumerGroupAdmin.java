package dev.rill.binder.redis.provisioning;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.rill.binder.redis.properties.StartPosition;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.DataType;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.connection.stream.ReadOffset;

/**
 * Creates and removes the consumer groups of the binder's streams.
 * <p>
 * Groups are created with {@code MKSTREAM}, so a consumer may start before any producer.
 * A key that exists but is not a stream is reported instead of being overwritten.
 */
public class ConsumerGroupAdmin {

	private static final Log logger = LogFactory.getLog(ConsumerGroupAdmin.class);

	private static final byte[] REMOVE_CONSUMER_IF_NO_PENDING = """
			if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then
			  return 0
			end
			redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
			return 1
			""".getBytes(StandardCharsets.UTF_8);

	private final RedisConnectionFactory connectionFactory;

	public ConsumerGroupAdmin(RedisConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	/**
	 * Create a group unless it already exists (an existing group keeps its position).
	 * @param key the stream key (created when missing)
	 * @param group the group name
	 * @param startPosition where a new group starts
	 * @return whether the group was created by this call
	 * @throws StreamKeyTypeException when the key holds something other than a stream
	 */
	public boolean createGroupIfAbsent(String key, String group, StartPosition startPosition) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			assertStreamOrAbsent(connection, key);
			connection.streamCommands()
				.xGroupCreate(bytes(key), group, ReadOffset.from(startPosition.lastDeliveredId()), true);
			logger.info("Created consumer group '" + group + "' on stream '" + key + "' starting at "
					+ startPosition);
			return true;
		}
		catch (DataAccessException ex) {
			if (RedisErrorReply.hasCode(ex, "BUSYGROUP")) {
				return false;
			}
			throw ex;
		}
	}

	/**
	 * Check that a key a producer writes to is a stream or does not exist yet.
	 * @param key the stream key
	 * @throws StreamKeyTypeException when the key holds something other than a stream
	 */
	public void assertStreamOrAbsent(String key) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			assertStreamOrAbsent(connection, key);
		}
	}

	/**
	 * Remove a group and the pending entries it tracks; used for anonymous groups when
	 * their binding stops. Best effort and bounded: a Redis that does not answer within
	 * {@code timeout} must not hold up the application's shutdown, so the group is then
	 * left behind (with a WARN), costing only memory.
	 * @param key the stream key
	 * @param group the group name
	 * @param timeout how long to wait for Redis
	 */
	public void destroyGroup(String key, String group, Duration timeout) {
		try (ReactiveRedisConnection connection = ((ReactiveRedisConnectionFactory) this.connectionFactory)
			.getReactiveConnection()) {
			connection.streamCommands().xGroupDestroy(ByteBuffer.wrap(bytes(key)), group).block(timeout);
			logger.info("Removed consumer group '" + group + "' from stream '" + key + "'");
		}
		catch (RuntimeException ex) {
			logger.warn("Could not remove consumer group '" + group + "' from stream '" + key + "' ("
					+ RedisErrorReply.reasonOf(ex) + "); it stays in Redis until removed with XGROUP DESTROY");
		}
	}

	/**
	 * Remove a consumer from a group, but only if it holds no pending entries.
	 * <p>
	 * The check and the removal run as one script: between a separate check and
	 * {@code XGROUP DELCONSUMER} the consumer could read entries, and the removal would
	 * silently drop them from the pending list, so they would never be delivered again.
	 * @param key the stream key
	 * @param group the group name
	 * @param consumer the consumer name
	 * @return whether the consumer was removed (or did not exist)
	 */
	public boolean removeConsumerIfNoPending(String key, String group, String consumer) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			Long removed = connection.scriptingCommands()
				.eval(REMOVE_CONSUMER_IF_NO_PENDING, ReturnType.INTEGER, 1, bytes(key), bytes(group), bytes(consumer));
			return removed != null && removed == 1L;
		}
	}

	private static void assertStreamOrAbsent(RedisConnection connection, String key) {
		DataType type = connection.keyCommands().type(bytes(key));
		if (type != null && type != DataType.NONE && type != DataType.STREAM) {
			throw new StreamKeyTypeException(key, type.code());
		}
	}

	private static byte[] bytes(String key) {
		return key.getBytes(StandardCharsets.UTF_8);
	}

}
