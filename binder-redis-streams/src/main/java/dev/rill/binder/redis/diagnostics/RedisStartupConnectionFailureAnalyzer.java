package dev.rill.binder.redis.diagnostics;

import dev.rill.binder.redis.provisioning.RedisStartupConnectionException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a start that failed because the binder could not talk to Redis
 * ({@link RedisStartupConnectionException}): what kind of problem it was, in Redis' or
 * the network's own words, and which {@code spring.data.redis.*} settings to look at.
 */
public class RedisStartupConnectionFailureAnalyzer extends AbstractFailureAnalyzer<RedisStartupConnectionException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, RedisStartupConnectionException cause) {
		String reason = cause.getReason();
		return switch (cause.getProblem()) {
			case AUTHENTICATION -> new FailureAnalysis("Redis refused the credentials of the Redis Streams binder: "
					+ reason, "Check spring.data.redis.username and spring.data.redis.password (or the user and "
							+ "password in spring.data.redis.url) against the server's ACL users (ACL LIST) or "
							+ "requirepass; the user must be 'on'.",
					cause);
			case TLS_HANDSHAKE -> new FailureAnalysis("The TLS handshake with Redis failed: " + reason,
					"If the server listens for plain TCP on that port, turn TLS off (spring.data.redis.ssl.enabled, "
							+ "spring.data.redis.ssl.bundle, or redis:// instead of rediss:// in "
							+ "spring.data.redis.url). Otherwise make the SSL bundle trust the CA that signed the "
							+ "server's certificate, whose subject alternative names must include the host the "
							+ "application connects to.",
					cause);
			case CLOSED_BEFORE_REPLY -> new FailureAnalysis("Redis accepted the connection of the Redis Streams "
					+ "binder and closed it before answering (" + reason + "), as a Redis that listens only for "
					+ "TLS does to a client that speaks plain TCP.",
					"If the port is a TLS port (tls-port in redis.conf), turn TLS on: use a rediss:// URL in "
							+ "spring.data.redis.url, or set spring.data.redis.ssl.enabled=true (or an SSL bundle "
							+ "with spring.data.redis.ssl.bundle). Otherwise check what listens on that port.",
					cause);
			case UNREACHABLE -> new FailureAnalysis("The Redis Streams binder could not reach Redis at startup ("
					+ reason + ") and spring.cloud.stream.redis.binder.fail-fast is true.",
					"Start Redis or point spring.data.redis.* (url, or host and port; sentinel.*, cluster.nodes) "
							+ "at it. To let the application start without Redis and bind when it comes, set "
							+ "spring.cloud.stream.redis.binder.fail-fast=false.",
					cause);
		};
	}

}
