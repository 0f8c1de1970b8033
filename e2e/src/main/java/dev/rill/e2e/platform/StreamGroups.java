package dev.rill.e2e.platform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.rill.binder.redis.test.RespClient;

/**
 * The consumer groups of the saga's streams as Redis sees them, read and moved with plain
 * commands ({@code XINFO GROUPS}, {@code XGROUP SETID}) outside the services' own client:
 * what a test needs to know whether every event was handled, and to make the services read
 * every event again.
 */
public final class StreamGroups {

	/** The saga's streams and the groups reading them, downstream first. */
	public static final Map<String, List<String>> SAGA = sagaGroups();

	private final RespClient redis;

	/**
	 * @param host Redis host
	 * @param port Redis port
	 */
	public StreamGroups(String host, int port) {
		this.redis = new RespClient(host, port);
	}

	private static Map<String, List<String>> sagaGroups() {
		Map<String, List<String>> groups = new LinkedHashMap<>();
		groups.put("order-status", List.of("notification"));
		groups.put("stock", List.of("order"));
		groups.put("orders", List.of("inventory", "order-view"));
		return java.util.Collections.unmodifiableMap(groups);
	}

	/**
	 * @param stream a stream key
	 * @return its groups ({@code XINFO GROUPS}); empty when the stream does not exist
	 */
	public List<Group> groups(String stream) {
		String reply = this.redis.command("XINFO", "GROUPS", stream);
		List<Group> groups = new ArrayList<>();
		if (reply == null || reply.startsWith("-") || reply.isEmpty()) {
			return groups;
		}
		String[] tokens = reply.split("\n", -1);
		Map<String, String> fields = null;
		for (int i = 0; i + 1 < tokens.length; i += 2) {
			if (tokens[i].equals("name")) {
				if (fields != null) {
					groups.add(Group.of(stream, fields));
				}
				fields = new LinkedHashMap<>();
			}
			if (fields != null) {
				fields.put(tokens[i], tokens[i + 1]);
			}
		}
		if (fields != null) {
			groups.add(Group.of(stream, fields));
		}
		return groups;
	}

	/**
	 * @param stream a stream key
	 * @param name a group
	 * @return that group
	 * @throws IllegalStateException when there is no such group
	 */
	public Group group(String stream, String name) {
		return groups(stream).stream()
			.filter(group -> group.name().equals(name))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No group " + name + " on stream " + stream));
	}

	/**
	 * @param stream a stream key
	 * @return the id of its newest entry, {@code 0-0} when it is empty or missing
	 */
	public String lastEntryId(String stream) {
		String reply = this.redis.command("XREVRANGE", stream, "+", "-", "COUNT", "1");
		if (reply == null || reply.isEmpty() || reply.startsWith("-")) {
			return "0-0";
		}
		return reply.split("\n", 2)[0];
	}

	/**
	 * @param stream a stream key
	 * @return its length ({@code XLEN}), 0 when missing
	 */
	public long length(String stream) {
		return Long.parseLong(this.redis.command("XLEN", stream));
	}

	/**
	 * @param stream a stream key
	 * @param group a group
	 * @return whether the group has been handed every entry of the stream and acknowledged all
	 * of them (pending 0, lag 0)
	 */
	public boolean drained(String stream, String group) {
		Group info = group(stream, group);
		return info.pending() == 0 && compareIds(info.lastDeliveredId(), lastEntryId(stream)) >= 0;
	}

	/**
	 * @return whether every group of the saga is {@link #drained(String, String) drained}
	 */
	public boolean sagaDrained() {
		return sagaDrained(stream -> this);
	}

	/**
	 * Whether every group of the saga is {@link #drained(String, String) drained}, each stream
	 * asked of the Redis that holds it: in a Redis Cluster the saga's streams are on different
	 * shards.
	 * @param holder the groups of the Redis that holds a stream
	 * @return whether the saga is drained
	 */
	public static boolean sagaDrained(Function<String, StreamGroups> holder) {
		return SAGA.entrySet()
			.stream()
			.allMatch(entry -> entry.getValue()
				.stream()
				.allMatch(group -> holder.apply(entry.getKey()).drained(entry.getKey(), group)));
	}

	/**
	 * Move a group back to the start of its stream ({@code XGROUP SETID stream group 0}): its
	 * consumers read every entry again, as redeliveries.
	 * @param stream a stream key
	 * @param group a group
	 */
	public void rewind(String stream, String group) {
		String reply = this.redis.command("XGROUP", "SETID", stream, group, "0");
		if (!"OK".equals(reply)) {
			throw new IllegalStateException("XGROUP SETID " + stream + " " + group + " 0: " + reply);
		}
	}

	/**
	 * Rewind every group of the saga, downstream first: a group is rewound before its stream
	 * receives the answers to the redeliveries upstream, so each entry is read exactly twice.
	 */
	public void rewindSaga() {
		SAGA.forEach((stream, groups) -> groups.forEach(group -> rewind(stream, group)));
	}

	/**
	 * @param pattern a key pattern, e.g. {@code *.dlq}
	 * @return the keys matching it ({@code SCAN}, not {@code KEYS})
	 */
	public List<String> keys(String pattern) {
		List<String> keys = new ArrayList<>();
		String cursor = "0";
		do {
			String[] reply = this.redis.command("SCAN", cursor, "MATCH", pattern, "COUNT", "1000").split("\n", -1);
			cursor = reply[0];
			for (int i = 1; i < reply.length; i++) {
				if (!reply[i].isEmpty()) {
					keys.add(reply[i]);
				}
			}
		}
		while (!cursor.equals("0"));
		return keys;
	}

	/**
	 * @param a a stream entry id
	 * @param b another
	 * @return negative, zero or positive as {@code a} is before, equal to or after {@code b}
	 */
	public static int compareIds(String a, String b) {
		String[] left = a.split("-", 2);
		String[] right = b.split("-", 2);
		int byTime = Long.compareUnsigned(Long.parseUnsignedLong(left[0]), Long.parseUnsignedLong(right[0]));
		if (byTime != 0) {
			return byTime;
		}
		return Long.compareUnsigned(Long.parseUnsignedLong((left.length > 1) ? left[1] : "0"),
				Long.parseUnsignedLong((right.length > 1) ? right[1] : "0"));
	}

	/**
	 * A consumer group as {@code XINFO GROUPS} shows it.
	 * @param stream its stream
	 * @param name its name
	 * @param consumers how many consumers it has
	 * @param pending entries delivered and not acknowledged
	 * @param lastDeliveredId the newest entry handed to a consumer
	 * @param entriesRead entries read (Redis 7; -1 when unknown)
	 */
	public record Group(String stream, String name, int consumers, long pending, String lastDeliveredId,
			long entriesRead) {

		static Group of(String stream, Map<String, String> fields) {
			return new Group(stream, fields.get("name"), Integer.parseInt(fields.getOrDefault("consumers", "0")),
					Long.parseLong(fields.getOrDefault("pending", "0")), fields.getOrDefault("last-delivered-id", "0-0"),
					number(fields.get("entries-read")));
		}

		private static long number(String value) {
			try {
				return (value != null) ? Long.parseLong(value) : -1;
			}
			catch (NumberFormatException ex) {
				return -1; // "null": Redis does not know
			}
		}

	}

}
