package dev.rill.binder.redis.endpoint;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;

/**
 * Which Redis keys the endpoint treats as the binder's: every stream whose key starts with
 * the binder's {@code key-prefix} (with an empty prefix: every stream of the database).
 * The endpoint neither lists, reads nor writes keys outside it, replays included.
 */
final class StreamKeyScope {

	private final String prefix;

	StreamKeyScope(String prefix) {
		this.prefix = (prefix != null) ? prefix : "";
	}

	String prefix() {
		return this.prefix;
	}

	boolean contains(String key) {
		return key != null && !key.isEmpty() && key.startsWith(this.prefix);
	}

	/**
	 * @param key a key named in a request
	 * @throws InvalidEndpointRequestException (400) when the key is outside the scope
	 */
	void check(String key) {
		if (!contains(key)) {
			throw new InvalidEndpointRequestException(
					"'" + key + "' is not a stream of the binder: its keys start with its key-prefix '" + this.prefix
							+ "'",
					"'" + key + "' is outside the binder's key-prefix");
		}
	}

	/**
	 * @return the {@code SCAN MATCH} pattern of the scope: the prefix, glob characters
	 * escaped, followed by {@code *}
	 */
	String scanPattern() {
		StringBuilder pattern = new StringBuilder();
		for (char c : this.prefix.toCharArray()) {
			if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
				pattern.append('\\');
			}
			pattern.append(c);
		}
		return pattern.append('*').toString();
	}

}
