package dev.rill.binder.redis.metrics;

import java.nio.charset.StandardCharsets;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.connection.stream.StreamInfo.XInfoGroup;

/**
 * How many entries of a stream a consumer group has not been delivered yet.
 * <p>
 * Redis 7 reports it in {@code XINFO GROUPS}. Redis 6.2 does not, and 7 may not know it
 * either (after deletions in the unread part), so then it is counted: the entries after
 * the group's last delivered id, up to {@value #MAX_COUNTED} (a figure that says "at least
 * this many" is more useful than walking a million entries). Used by the lag gauge and
 * the {@code redisstreams} endpoint.
 *
 * @param value the lag
 * @param capped whether counting stopped at {@value #MAX_COUNTED}
 */
public record GroupLag(long value, boolean capped) {

	/** The most entries counted when Redis does not report the lag. */
	public static final int MAX_COUNTED = 10_000;

	private static final byte[] COUNT_UNDELIVERED = """
			return #redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])
			""".getBytes(StandardCharsets.UTF_8);

	/**
	 * @param connection a connection to the stream's server
	 * @param key the stream key
	 * @param group the group as {@code XINFO GROUPS} described it
	 * @return the group's lag on the stream
	 */
	public static GroupLag of(RedisConnection connection, byte[] key, XInfoGroup group) {
		if (group.getRaw().get("lag") instanceof Long reported) {
			return new GroupLag(reported, false);
		}
		Long counted = connection.scriptingCommands()
			.eval(COUNT_UNDELIVERED, ReturnType.INTEGER, 1, key,
					group.lastDeliveredId().getBytes(StandardCharsets.UTF_8),
					Integer.toString(MAX_COUNTED + 1).getBytes(StandardCharsets.UTF_8));
		long lag = (counted != null) ? counted : 0;
		return (lag > MAX_COUNTED) ? new GroupLag(MAX_COUNTED, true) : new GroupLag(lag, false);
	}

}
