package dev.rill.binder.redis.inbound;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.connection.stream.PendingMessage;
import org.springframework.data.redis.connection.stream.PendingMessages;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamInfo.XInfoConsumer;
import org.springframework.data.redis.connection.stream.StreamInfo.XInfoConsumers;

/**
 * The Redis commands of the {@link PendingEntryClaimer}: take over idle pending entries,
 * keep the entries a consumer is working on from looking idle, list a group's consumers.
 * <p>
 * The first two are small Lua scripts on one key (so they work on a Redis Cluster):
 * Spring Data Redis has no {@code XAUTOCLAIM}, and touching an entry must check and
 * reclaim it atomically, or the touch could take an entry back from a consumer that
 * rightly claimed it a moment before.
 */
final class PendingEntryCommands {

	/** The cursor that starts an {@code XAUTOCLAIM} scan, and that ends one. */
	static final String SCAN_START = "0-0";

	/**
	 * XAUTOCLAIM ... JUSTID: claiming without reading does not count as a delivery; the
	 * consumer that receives the entries reads them from its pending list, which does.
	 * Redis 7 also drops deleted (trimmed) entries from the pending list and returns their
	 * ids as a third element; Redis 6.2 claims them like the others (the consumer then
	 * reads them back without fields and acknowledges them).
	 */
	private static final byte[] AUTO_CLAIM = script("""
			local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'COUNT', ARGV[5], 'JUSTID')
			local deleted = 0
			if r[3] then deleted = #r[3] end
			return {r[1], #r[2], deleted}
			""");

	/**
	 * XCLAIM to the same owner with min-idle 0 and JUSTID resets an entry's idle time
	 * without counting a delivery; done only for entries the consumer still owns.
	 */
	private static final byte[] TOUCH = script("""
			local touched = 0
			for i = 3, #ARGV do
			  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
			  if #p == 1 and p[1][2] == ARGV[2] then
			    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
			    touched = touched + 1
			  end
			end
			return touched
			""");

	private final RedisConnectionFactory connectionFactory;

	PendingEntryCommands(RedisConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	/**
	 * Claim up to {@code count} entries idle for at least {@code minIdle}, scanning the
	 * group's pending list from {@code cursor}.
	 */
	AutoClaim autoClaim(String key, String group, String consumer, Duration minIdle, String cursor, int count) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			List<Object> reply = connection.scriptingCommands()
				.eval(AUTO_CLAIM, ReturnType.MULTI, 1, bytes(key), bytes(group), bytes(consumer),
						bytes(Long.toString(minIdle.toMillis())), bytes(cursor), bytes(Integer.toString(count)));
			return new AutoClaim(new String((byte[]) reply.get(0), StandardCharsets.UTF_8), (Long) reply.get(1),
					(Long) reply.get(2));
		}
	}

	/**
	 * Reset the idle time of the given entries that {@code consumer} still owns.
	 * @return how many were touched
	 */
	long touch(String key, String group, String consumer, List<RecordId> ids) {
		List<byte[]> keysAndArgs = new ArrayList<>(ids.size() + 3);
		keysAndArgs.add(bytes(key));
		keysAndArgs.add(bytes(group));
		keysAndArgs.add(bytes(consumer));
		ids.forEach(id -> keysAndArgs.add(bytes(id.getValue())));
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			Long touched = connection.scriptingCommands()
				.eval(TOUCH, ReturnType.INTEGER, 1, keysAndArgs.toArray(byte[][]::new));
			return (touched != null) ? touched : 0;
		}
	}

	/**
	 * The oldest entries pending on one consumer, with their idle time.
	 */
	List<PendingMessage> oldestPending(String key, String group, String consumer, int count) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			PendingMessages pending = connection.streamCommands()
				.xPending(bytes(key), group, consumer, Range.unbounded(), (long) count);
			return (pending != null) ? pending.toList() : List.of();
		}
	}

	/**
	 * The consumers of a group with their idle time and pending count.
	 */
	List<XInfoConsumer> consumers(String key, String group) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			XInfoConsumers consumers = connection.streamCommands().xInfoConsumers(bytes(key), group);
			return (consumers != null) ? consumers.toList() : List.of();
		}
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] script(String source) {
		return bytes(source);
	}

	/**
	 * What one {@code XAUTOCLAIM} did.
	 * @param nextCursor where the scan continues ({@link #SCAN_START} when it went round)
	 * @param claimed how many entries were claimed
	 * @param deleted how many deleted entries were dropped from the pending list (Redis 7+)
	 */
	record AutoClaim(String nextCursor, long claimed, long deleted) {

		boolean isScanComplete() {
			return SCAN_START.equals(this.nextCursor);
		}

	}

}
