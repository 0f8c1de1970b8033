package dev.rill.e2e.faults;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.rill.e2e.faults.Redis.Entry;

/**
 * The saga's events in Redis streams (the Redis binder): {@code orders}, {@code stock},
 * {@code order-status}, their consumer groups and the dead-letter streams
 * {@code <stream>.<group>.dlq}, whose entries are the original's fields plus {@code x-*} fields.
 */
final class RedisEventLog implements EventLog {

	private final Redis redis;

	private final Map<String, List<String>> groups;

	/**
	 * @param redis the Redis the services use as transport
	 * @param groups the saga's streams and their groups, upstream first
	 */
	RedisEventLog(Redis redis, Map<String, List<String>> groups) {
		this.redis = redis;
		this.groups = groups;
	}

	@Override
	public Mark mark() {
		Map<String, String> lastIds = new HashMap<>();
		this.groups.keySet().forEach(stream -> lastIds.put(stream, this.redis.lastId(stream)));
		return stream -> this.redis.entriesAfter(stream, lastIds.getOrDefault(stream, "0-0"))
			.stream()
			.map(entry -> new Event(entry.id(), entry.fields()))
			.toList();
	}

	@Override
	public boolean drained() {
		for (Map.Entry<String, List<String>> stream : this.groups.entrySet()) {
			String last = this.redis.lastId(stream.getKey());
			for (Map<String, Object> group : this.redis.groups(stream.getKey())) {
				if (!stream.getValue().contains(group.get("name"))) {
					continue;
				}
				if ((Long) group.get("pending") != 0
						|| FaultOracle.compareIds((String) group.get("last-delivered-id"), last) < 0) {
					return false;
				}
			}
		}
		return true;
	}

	@Override
	public Map<String, List<String>> groups() {
		return this.groups;
	}

	@Override
	public long unacknowledged(String stream, String group) {
		return this.redis.pending(stream, group);
	}

	@Override
	public String unacknowledgedName() {
		return "pending";
	}

	@Override
	public Map<String, Long> deadLetters() {
		return this.redis.keys("*.dlq")
			.stream()
			.collect(Collectors.toMap(key -> key, this.redis::length, (a, b) -> a, TreeMap::new));
	}

	@Override
	public String deadLetterName(String stream, String group) {
		return stream + "." + group + ".dlq";
	}

	@Override
	public String add(String stream, Map<String, String> fields) {
		return this.redis.add(stream, fields);
	}

	@Override
	public Optional<DeadLetter> deadLetter(String stream, String group, String id) {
		return this.redis.entriesAfter(deadLetterName(stream, group), "0-0")
			.stream()
			.filter(entry -> id.equals(entry.field("x-original-entry-id")))
			.findFirst()
			.map(RedisEventLog::deadLetter);
	}

	private static DeadLetter deadLetter(Entry entry) {
		Map<String, String> original = new LinkedHashMap<>(entry.fields());
		original.keySet().removeIf(name -> name.startsWith("x-"));
		String originalId = entry.field("x-original-entry-id");
		return new DeadLetter(original, entry.field("x-original-stream"), originalId,
				Instant.ofEpochMilli(Long.parseLong(originalId.substring(0, originalId.indexOf('-')))),
				entry.field("x-original-group"), entry.field("x-delivery-count"), entry.field("x-exception-fqcn"),
				entry.field("x-exception-message"), entry.field("x-exception-stacktrace"),
				Instant.parse(entry.field("x-failed-at")));
	}

	@Override
	public String replay(DeadLetter deadLetter, Map<String, String> changes) {
		Map<String, String> fields = new LinkedHashMap<>(deadLetter.fields());
		fields.putAll(changes);
		return this.redis.add(deadLetter.originalStream(), fields);
	}

}
