package dev.rill.binder.redis.outbound;

import java.util.ArrayList;
import java.util.List;

import dev.rill.binder.redis.test.RedisServerProcess;

/**
 * Reads what producer tests wrote: the {@code payload} fields of a stream.
 */
final class StreamPayloads {

	private StreamPayloads() {
	}

	/**
	 * @param server the Redis written to
	 * @param key the stream key
	 * @return the payloads of the stream's entries, oldest first
	 */
	static List<String> of(RedisServerProcess server, String key) {
		String[] fields = server.command("XRANGE", key, "-", "+").split("\n");
		List<String> payloads = new ArrayList<>();
		for (int i = 0; i < fields.length - 1; i++) {
			if (fields[i].equals("payload")) {
				payloads.add(fields[i + 1]);
			}
		}
		return payloads;
	}

}
