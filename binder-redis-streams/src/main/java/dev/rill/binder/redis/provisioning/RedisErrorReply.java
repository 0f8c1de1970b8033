package dev.rill.binder.redis.provisioning;

import org.springframework.core.NestedExceptionUtils;

/**
 * Recognises Redis error replies by their code (the first word of the reply, such as
 * {@code BUSYGROUP} or {@code NOGROUP}) anywhere in an exception's cause chain, since the
 * client and Spring's exception translation wrap them, and says what went wrong in Redis'
 * (or the network's) own words for log lines and health details.
 */
public final class RedisErrorReply {

	private RedisErrorReply() {
	}

	/**
	 * @param error the exception thrown by a Redis command
	 * @param code the error code, for example {@code NOGROUP}
	 * @return whether Redis answered with that error code
	 */
	public static boolean hasCode(Throwable error, String code) {
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			String message = cause.getMessage();
			if (message != null && (message.startsWith(code + " ") || message.contains(" " + code + " ")
					|| message.equals(code))) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	/**
	 * @param error the exception thrown by a Redis command
	 * @return the message of its most specific cause, such as Redis' reply
	 * ({@code NOPERM this user has no permissions ...}) rather than a wrapper's
	 * ({@code Error in execution}); the class name when that cause has no message
	 */
	public static String reasonOf(Throwable error) {
		Throwable cause = NestedExceptionUtils.getMostSpecificCause(error);
		return (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getName();
	}

}
