package dev.rill.binder.redis.metrics;

import java.nio.charset.StandardCharsets;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.connection.stream.StreamInfo.XInfoGroup;
import org.springframework.data.redis.connection.stream.StreamInfo.XInfoGroups;

/**
 * Reads how far a consumer group is behind on one stream key: its lag (entries not yet
 * delivered to the group) and its pending entries (delivered, not acknowledged).
 * <p>
 * Redis 7 reports the lag in {@code XINFO GROUPS}. Redis 6.2 does not, and 7 may not
 * know it either (after deletions in the unread part), so then it is counted: the entries
 * after the group's last delivered id, up to {@value #MAX_COUNTED_LAG} (a gauge that says
 * "at least this many" is more useful than a scrape that walks a million entries).
 */
class ConsumerGroupStats {

	/** The most entries counted when Redis does not report the lag. */
	static final int MAX_COUNTED_LAG = 10_000;

	private static final byte[] COUNT_UNDELIVERED = """
			return #redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])
			""".getBytes(StandardCharsets.UTF_8);

	private final RedisConnectionFactory connectionFactory;

	ConsumerGroupStats(RedisConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	/**
	 * @return the group's lag and pending count on the key, or zeros when the key or the
	 * group does not exist (yet)
	 */
	Stats read(String key, String group) {
		byte[] rawKey = key.getBytes(StandardCharsets.UTF_8);
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			if (!Boolean.TRUE.equals(connection.keyCommands().exists(rawKey))) {
				return new Stats(0, 0);
			}
			XInfoGroups groups = connection.streamCommands().xInfoGroups(rawKey);
			for (XInfoGroup info : groups) {
				if (info.groupName().equals(group)) {
					return new Stats(lag(connection, rawKey, info), info.pendingCount());
				}
			}
			return new Stats(0, 0);
		}
	}

	private static long lag(RedisConnection connection, byte[] key, XInfoGroup info) {
		if (info.getRaw().get("lag") instanceof Long reported) {
			return reported;
		}
		Long counted = connection.scriptingCommands()
			.eval(COUNT_UNDELIVERED, ReturnType.INTEGER, 1, key,
					info.lastDeliveredId().getBytes(StandardCharsets.UTF_8),
					Integer.toString(MAX_COUNTED_LAG).getBytes(StandardCharsets.UTF_8));
		return (counted != null) ? counted : 0;
	}

	/**
	 * @param lag entries not yet delivered to the group
	 * @param pending entries delivered and not acknowledged
	 */
	record Stats(long lag, long pending) {

		Stats plus(Stats other) {
			return new Stats(this.lag + other.lag, this.pending + other.pending);
		}

	}

}
