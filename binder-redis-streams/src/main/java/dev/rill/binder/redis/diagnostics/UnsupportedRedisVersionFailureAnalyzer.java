package dev.rill.binder.redis.diagnostics;

import dev.rill.binder.redis.provisioning.RedisVersion;
import dev.rill.binder.redis.provisioning.UnsupportedRedisVersionException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a start that failed because the Redis server is older than the binder needs
 * ({@link UnsupportedRedisVersionException}), and what to do about it.
 */
public class UnsupportedRedisVersionFailureAnalyzer extends AbstractFailureAnalyzer<UnsupportedRedisVersionException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnsupportedRedisVersionException cause) {
		RedisVersion minimum = cause.getMinimum();
		String required = minimum.major() + "." + minimum.minor();
		String description = "The Redis server runs version " + cause.getVersion()
				+ ", but the Redis Streams binder needs Redis " + required
				+ " or newer: it uses XAUTOCLAIM, XADD ... MINID and XPENDING ... IDLE, which older servers do not know.";
		String action = "Upgrade the Redis server to " + required + " or newer, or point spring.data.redis.* "
				+ "(url, or host and port) at a server that is.";
		return new FailureAnalysis(description, action, cause);
	}

}
