package dev.rill.binder.redis.endpoint;

import java.nio.charset.StandardCharsets;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.GroupDescriptor;
import dev.rill.binder.redis.properties.StartPosition;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;

/**
 * Moves a consumer group to another position with {@code XGROUP SETID}, to replay a
 * stream's history to it or to make it skip entries. Positions are parsed as the
 * {@code start-position} consumer property ({@link StartPosition}): {@code earliest},
 * {@code latest}, an entry id (the group continues after it) or an ISO-8601 instant (the
 * group continues with the entries added from then on).
 * <p>
 * The pending entries of the group are not touched: they stay with their consumers and
 * are delivered again or acknowledged as before. The command runs as a script so that
 * a Redis Cluster routes it by its key.
 */
final class ConsumerGroupPositioner {

	private static final Log logger = LogFactory.getLog(ConsumerGroupPositioner.class);

	private static final byte[] SET_ID = """
			return redis.call('XGROUP', 'SETID', KEYS[1], ARGV[1], ARGV[2])
			""".getBytes(StandardCharsets.UTF_8);

	private final RedisConnectionFactory connectionFactory;

	private final StreamKeyScope scope;

	private final StreamInspector inspector;

	ConsumerGroupPositioner(RedisConnectionFactory connectionFactory, StreamKeyScope scope,
			StreamInspector inspector) {
		this.connectionFactory = connectionFactory;
		this.scope = scope;
		this.inspector = inspector;
	}

	GroupDescriptor move(String key, String group, String position) {
		this.scope.check(key);
		StartPosition target;
		try {
			target = StartPosition.parse(position);
		}
		catch (IllegalArgumentException ex) {
			throw StreamInspector.invalid(ex.getMessage());
		}
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			if (this.inspector.describeGroup(connection, key, group) == null) {
				throw StreamInspector.invalid("There is no consumer group '" + group + "' on stream '" + key + "'");
			}
			connection.scriptingCommands()
				.eval(SET_ID, ReturnType.STATUS, 1, StreamInspector.bytes(key), StreamInspector.bytes(group),
						StreamInspector.bytes(target.lastDeliveredId()));
			logger.info("Moved consumer group '" + group + "' of stream '" + key + "' to " + target
					+ " (last delivered id " + target.lastDeliveredId() + ")");
			return this.inspector.describeGroup(connection, key, group);
		}
	}

}
