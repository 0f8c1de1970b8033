package dev.rill.binder.redis.provisioning;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Talks to Redis once when the binder starts ({@code PING}) and fails the start of the
 * application, with a {@link RedisStartupConnectionException}, when that shows a problem
 * that waiting does not heal: wrong credentials, a TLS mismatch (see
 * {@link RedisConnectionProblem}). A Redis that cannot be reached fails the start only
 * when {@code fail-fast} is set; otherwise a WARN says so, the application starts and the
 * bindings retry until Redis answers, so that services started before Redis (or during
 * its restart) come up by themselves.
 * <p>
 * Registered first among the startup checks, so that the version and key type checks,
 * which skip when Redis cannot be reached, run after this one has spoken.
 */
public class RedisConnectionVerifier implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(RedisConnectionVerifier.class);

	/**
	 * A first contact that gave no reply is tried this many times: a connection closed
	 * before any reply counts as {@link RedisConnectionProblem#CLOSED_BEFORE_REPLY} only
	 * then (a Redis that restarts just then closes connections too, but only once), and a
	 * handshake whose outcome Lettuce lost
	 * ({@link RedisConnectionProblem#isHandshakeOutcomeLost}) shows Redis' reply on the next
	 * attempt.
	 */
	private static final int ATTEMPTS_WITHOUT_REPLY = 3;

	private static final Duration PAUSE_WITHOUT_REPLY = Duration.ofMillis(200);

	private final RedisConnectionFactory connectionFactory;

	private final boolean failFast;

	/**
	 * @param connectionFactory the binder's connection factory
	 * @param failFast whether a Redis that cannot be reached fails the start too
	 */
	public RedisConnectionVerifier(RedisConnectionFactory connectionFactory, boolean failFast) {
		this.connectionFactory = connectionFactory;
		this.failFast = failFast;
	}

	@Override
	public void afterSingletonsInstantiated() {
		RuntimeException failure = null;
		RedisConnectionProblem problem = null;
		for (int attempt = 1; attempt <= ATTEMPTS_WITHOUT_REPLY; attempt++) {
			failure = ping();
			if (failure == null) {
				return;
			}
			problem = RedisConnectionProblem.of(failure);
			boolean noReply = problem == RedisConnectionProblem.CLOSED_BEFORE_REPLY
					|| RedisConnectionProblem.isHandshakeOutcomeLost(failure);
			if (!noReply || attempt == ATTEMPTS_WITHOUT_REPLY) {
				break;
			}
			pause();
		}
		RedisStartupConnectionException exception = new RedisStartupConnectionException(problem, failure);
		if (problem.isPermanent() || this.failFast) {
			throw exception;
		}
		logger.warn(exception.getMessage() + ". Starting anyway: the bindings retry until Redis answers (set "
				+ "spring.cloud.stream.redis.binder.fail-fast=true to fail the start instead)");
	}

	private RuntimeException ping() {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			connection.ping();
			return null;
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

	private static void pause() {
		try {
			Thread.sleep(PAUSE_WITHOUT_REPLY.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
