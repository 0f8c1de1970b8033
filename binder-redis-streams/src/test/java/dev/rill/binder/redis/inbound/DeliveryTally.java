package dev.rill.binder.redis.inbound;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How often each payload was processed, gathered from every consumer that took part in a
 * fault test (in this JVM, in another process, or recorded in Redis), and the fault
 * tests' oracle over it: what had to be delivered is a subset of what was processed
 * (nothing {@linkplain #missing lost}), and payloads processed more than once are
 * {@linkplain #duplicates() counted} (allowed by at-least-once delivery, but reported).
 */
final class DeliveryTally {

	private final Map<String, Long> times = new TreeMap<>();

	/** Count each occurrence of a payload as one processing. */
	DeliveryTally addAll(Collection<String> payloads) {
		payloads.forEach(payload -> add(payload, 1));
		return this;
	}

	/** Count {@code count} processings of {@code payload}. */
	DeliveryTally add(String payload, long count) {
		this.times.merge(payload, count, Long::sum);
		return this;
	}

	/**
	 * Count the processings recorded in a Redis hash of payload to count, as
	 * {@code HGETALL} returns it through {@code RespClient} (field and value on alternate
	 * lines).
	 */
	DeliveryTally addHash(String hgetallReply) {
		if (hgetallReply == null || hgetallReply.isEmpty()) {
			return this;
		}
		String[] lines = hgetallReply.split("\n");
		for (int i = 0; i + 1 < lines.length; i += 2) {
			add(lines[i], Long.parseLong(lines[i + 1]));
		}
		return this;
	}

	/** @return a tally of the given payloads only (e.g. those of one phase of a test) */
	DeliveryTally only(Collection<String> payloads) {
		Set<String> wanted = Set.copyOf(payloads);
		DeliveryTally only = new DeliveryTally();
		this.times.forEach((payload, count) -> {
			if (wanted.contains(payload)) {
				only.add(payload, count);
			}
		});
		return only;
	}

	/** @return the payloads of {@code expected} that were never processed (lost) */
	Set<String> missing(Collection<String> expected) {
		Set<String> missing = new LinkedHashSet<>();
		for (String payload : expected) {
			if (!this.times.containsKey(payload)) {
				missing.add(payload);
			}
		}
		return missing;
	}

	/** @return the distinct payloads processed */
	Set<String> processed() {
		return this.times.keySet();
	}

	/** @return how many processings were repetitions of an earlier one */
	long duplicates() {
		return this.times.values().stream().mapToLong(count -> count - 1).sum();
	}

	/** @return how many payloads were processed more than once */
	long duplicated() {
		return this.times.values().stream().filter(count -> count > 1).count();
	}

	/**
	 * @param scenario what the test did, e.g. {@code "kill -9 of a consumer JVM"}
	 * @param sent what had to be delivered
	 * @return the oracle line the fault tests print:
	 * {@code sent / processed / lost / duplicates}
	 */
	String oracle(String scenario, Collection<String> sent) {
		return "[" + scenario + "] sent=" + sent.size() + " processed=" + this.times.size() + " lost="
				+ missing(sent).size() + " duplicates=" + duplicates() + " (payloads processed more than once: "
				+ duplicated() + ")";
	}

}
