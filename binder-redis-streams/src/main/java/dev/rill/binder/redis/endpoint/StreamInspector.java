package dev.rill.binder.redis.endpoint;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.ConsumerDescriptor;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.EntryDescriptor;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.GroupDescriptor;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.StreamDescriptor;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.StreamPageDescriptor;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.StreamsDescriptor;
import dev.rill.binder.redis.metrics.GroupLag;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.data.domain.Range;
import org.springframework.data.domain.Range.Bound;
import org.springframework.data.redis.connection.DataType;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.StreamInfo.XInfoConsumer;
import org.springframework.data.redis.connection.stream.StreamInfo.XInfoGroup;
import org.springframework.data.redis.connection.stream.StreamInfo.XInfoStream;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.lang.Nullable;

/**
 * The read side of the endpoint: finds the binder's streams ({@code SCAN ... TYPE stream}
 * under the key prefix, on every master of a cluster) and describes them with
 * {@code XINFO STREAM}, {@code XINFO GROUPS}, {@code XINFO CONSUMERS} and {@code XRANGE}.
 */
final class StreamInspector {

	/** The most streams one listing shows. */
	static final int MAX_LISTED_STREAMS = 1000;

	/** The most entries counted for a group's lag when Redis does not report it. */
	static final int MAX_COUNTED_LAG = GroupLag.MAX_COUNTED;

	/** Entries per page when the request does not say. */
	static final int DEFAULT_PAGE_SIZE = 20;

	/** The most entries one page shows. */
	static final int MAX_PAGE_SIZE = 100;

	/** Keys one {@code SCAN} call looks at. */
	private static final long SCAN_COUNT = 1000;

	/** An entry id, or its time part alone (as {@code XRANGE} takes it). */
	static final Pattern ENTRY_ID = Pattern.compile("\\d+(-\\d+)?");

	/** A complete entry id, naming exactly one entry. */
	static final Pattern FULL_ENTRY_ID = Pattern.compile("\\d+-\\d+");

	private final RedisConnectionFactory connectionFactory;

	private final StreamKeyScope scope;

	StreamInspector(RedisConnectionFactory connectionFactory, StreamKeyScope scope) {
		this.connectionFactory = connectionFactory;
		this.scope = scope;
	}

	StreamsDescriptor streams() {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			Set<String> keys = streamKeys(connection);
			boolean truncated = keys.size() > MAX_LISTED_STREAMS;
			List<StreamDescriptor> streams = new ArrayList<>();
			for (String key : keys) {
				if (streams.size() == MAX_LISTED_STREAMS) {
					break;
				}
				StreamDescriptor stream = describe(connection, key);
				if (stream != null) {
					streams.add(stream);
				}
			}
			return new StreamsDescriptor(this.scope.prefix(), streams, truncated);
		}
	}

	@Nullable
	StreamPageDescriptor stream(String key, @Nullable String after, @Nullable Integer count) {
		this.scope.check(key);
		if (after != null && !after.isBlank() && !ENTRY_ID.matcher(after.trim()).matches()) {
			throw invalid("'" + after + "' is not an entry id such as 1700000000000-0");
		}
		if (count != null && count < 1) {
			throw invalid("count must be at least 1, was " + count);
		}
		int pageSize = (count != null) ? Math.min(count, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			StreamDescriptor stream = describe(connection, key);
			if (stream == null) {
				return null;
			}
			Range<String> range = (after != null && !after.isBlank())
					? Range.of(Bound.exclusive(after.trim()), Bound.unbounded()) : Range.unbounded();
			List<ByteRecord> records = connection.streamCommands()
				.xRange(bytes(key), range, Limit.limit().count(pageSize + 1));
			List<EntryDescriptor> entries = records.stream().limit(pageSize).map(EntryView::of).toList();
			String next = (records.size() > pageSize) ? entries.get(pageSize - 1).id() : null;
			return new StreamPageDescriptor(stream, entries, next);
		}
	}

	/**
	 * @return the stream with its groups; {@code null} when the key does not exist
	 * @throws InvalidEndpointRequestException when the key holds something else
	 */
	@Nullable
	StreamDescriptor describe(RedisConnection connection, String key) {
		byte[] rawKey = bytes(key);
		DataType type = connection.keyCommands().type(rawKey);
		if (type == null || type == DataType.NONE) {
			return null;
		}
		if (type != DataType.STREAM) {
			throw invalid("Redis key '" + key + "' holds a " + type.code() + ", not a stream");
		}
		XInfoStream info = connection.streamCommands().xInfo(rawKey);
		List<GroupDescriptor> groups = new ArrayList<>();
		for (XInfoGroup group : connection.streamCommands().xInfoGroups(rawKey)) {
			groups.add(describe(connection, rawKey, group));
		}
		return new StreamDescriptor(key, info.streamLength(), info.firstEntryId(), info.lastEntryId(),
				info.lastGeneratedId(), groups);
	}

	/**
	 * @return the group; {@code null} when the stream or the group does not exist
	 */
	@Nullable
	GroupDescriptor describeGroup(RedisConnection connection, String key, String group) {
		byte[] rawKey = bytes(key);
		if (connection.keyCommands().type(rawKey) != DataType.STREAM) {
			return null;
		}
		for (XInfoGroup info : connection.streamCommands().xInfoGroups(rawKey)) {
			if (info.groupName().equals(group)) {
				return describe(connection, rawKey, info);
			}
		}
		return null;
	}

	private GroupDescriptor describe(RedisConnection connection, byte[] key, XInfoGroup group) {
		List<ConsumerDescriptor> consumers = new ArrayList<>();
		for (XInfoConsumer consumer : connection.streamCommands().xInfoConsumers(key, group.groupName())) {
			consumers.add(new ConsumerDescriptor(consumer.consumerName(), consumer.idleTimeMs(),
					consumer.pendingCount()));
		}
		GroupLag lag = GroupLag.of(connection, key, group);
		Long pending = group.pendingCount();
		return new GroupDescriptor(group.groupName(), lag.value(), lag.capped(), (pending != null) ? pending : 0,
				group.lastDeliveredId(), consumers);
	}

	/**
	 * @return the stream keys under the prefix, sorted; one more than
	 * {@value #MAX_LISTED_STREAMS} at most (so that the caller sees there were more)
	 */
	private Set<String> streamKeys(RedisConnection connection) {
		ScanOptions options = ScanOptions.scanOptions()
			.match(this.scope.scanPattern())
			.type(DataType.STREAM)
			.count(SCAN_COUNT)
			.build();
		Set<String> keys = new TreeSet<>();
		if (connection instanceof RedisClusterConnection cluster) {
			for (RedisClusterNode node : cluster.clusterGetNodes()) {
				if (node.isMaster() && keys.size() <= MAX_LISTED_STREAMS) {
					try (Cursor<byte[]> cursor = cluster.scan(node, options)) {
						collect(cursor, keys);
					}
				}
			}
		}
		else {
			try (Cursor<byte[]> cursor = connection.keyCommands().scan(options)) {
				collect(cursor, keys);
			}
		}
		return keys;
	}

	private void collect(Cursor<byte[]> cursor, Set<String> keys) {
		while (cursor.hasNext() && keys.size() <= MAX_LISTED_STREAMS) {
			String key = new String(cursor.next(), StandardCharsets.UTF_8);
			if (this.scope.contains(key)) {
				keys.add(key);
			}
		}
	}

	static InvalidEndpointRequestException invalid(String message) {
		return new InvalidEndpointRequestException(message, message);
	}

	static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
