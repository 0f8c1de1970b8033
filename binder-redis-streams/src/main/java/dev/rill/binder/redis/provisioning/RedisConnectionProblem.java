package dev.rill.binder.redis.provisioning;

import java.util.Locale;

import javax.net.ssl.SSLException;

/**
 * Why the binder could not talk to Redis when it started, and whether waiting can help.
 * <p>
 * Told apart by the failure's cause chain as Lettuce reports it: Redis' error reply to
 * {@code HELLO}/{@code AUTH}, a TLS handshake failure, or a connection that Redis accepted
 * and closed without a reply (what a TLS-only port does to a client that speaks plain
 * RESP: its log says "wrong version number", the client sees a connection reset).
 */
public enum RedisConnectionProblem {

	/**
	 * No connection: refused, unknown host, timed out. Redis may be starting or restarting,
	 * so this may heal by itself.
	 */
	UNREACHABLE(false),

	/**
	 * Redis refused the credentials ({@code WRONGPASS}, {@code NOAUTH}, an {@code AUTH}
	 * without a password configured): a configuration error that never heals by waiting.
	 */
	AUTHENTICATION(true),

	/**
	 * The TLS handshake failed: an untrusted or mismatched certificate, or TLS spoken to a
	 * plain port.
	 */
	TLS_HANDSHAKE(true),

	/**
	 * Redis accepted the connection and closed it before answering, as a TLS-only port does
	 * to a plain connection.
	 */
	CLOSED_BEFORE_REPLY(true);

	/** Lettuce's message when its handshake handler was gone before it could read its outcome. */
	private static final String LOST_HANDSHAKE_MESSAGE = "redishandshakehandler not registered";

	private final boolean permanent;

	RedisConnectionProblem(boolean permanent) {
		this.permanent = permanent;
	}

	/**
	 * @return whether the problem is a configuration error that waiting does not heal, so
	 * that the application must not start with it
	 */
	public boolean isPermanent() {
		return this.permanent;
	}

	/**
	 * @param failure what connecting and sending a first command to Redis threw
	 * @return the problem it shows
	 */
	public static RedisConnectionProblem of(Throwable failure) {
		for (Throwable cause = failure; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
			if (isAuthenticationReply(cause)) {
				return AUTHENTICATION;
			}
			if (cause instanceof SSLException || cause.getClass().getSimpleName().startsWith("NotSslRecord")) {
				return TLS_HANDSHAKE;
			}
			if (isClosedByPeer(cause)) {
				return CLOSED_BEFORE_REPLY;
			}
		}
		return UNREACHABLE;
	}

	/**
	 * @param failure what connecting and sending a first command to Redis threw
	 * @return whether Lettuce lost the outcome of the connection's handshake: when the
	 * handshake ({@code HELLO}, {@code AUTH}) fails before Lettuce's connect listener runs,
	 * that listener finds the channel closed and reports "RedisHandshakeHandler not
	 * registered" instead of Redis' reply (Lettuce 6.6, {@code AbstractRedisClient}). It
	 * happens on a busy machine, with {@code NOAUTH} for example; asking again gets the reply.
	 */
	public static boolean isHandshakeOutcomeLost(Throwable failure) {
		for (Throwable cause = failure; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
			if (cause instanceof IllegalStateException && messageOf(cause).equals(LOST_HANDSHAKE_MESSAGE)) {
				return true;
			}
		}
		return false;
	}

	private static boolean isAuthenticationReply(Throwable cause) {
		return RedisErrorReply.hasCode(cause, "WRONGPASS") || RedisErrorReply.hasCode(cause, "NOAUTH")
				|| messageOf(cause).startsWith("err auth ") || messageOf(cause).startsWith("err invalid password");
	}

	private static boolean isClosedByPeer(Throwable cause) {
		String message = messageOf(cause);
		return message.contains("connection reset") || message.contains("connection closed prematurely");
	}

	private static String messageOf(Throwable cause) {
		return (cause.getMessage() != null) ? cause.getMessage().toLowerCase(Locale.ROOT) : "";
	}

}
