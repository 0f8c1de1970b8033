package dev.rill.binder.redis.metrics;

import java.nio.charset.StandardCharsets;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.stream.StreamInfo.XInfoGroup;
import org.springframework.data.redis.connection.stream.StreamInfo.XInfoGroups;

/**
 * Reads how far a consumer group is behind on one stream key: its lag (entries not yet
 * delivered to the group) and its pending entries (delivered, not acknowledged).
 * The lag is {@link GroupLag}'s (reported by Redis 7, counted up to a cap otherwise).
 */
class ConsumerGroupStats {

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
					return new Stats(GroupLag.of(connection, rawKey, info).value(), info.pendingCount());
				}
			}
			return new Stats(0, 0);
		}
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
