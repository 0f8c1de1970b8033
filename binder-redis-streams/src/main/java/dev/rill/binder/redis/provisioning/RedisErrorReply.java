package dev.rill.binder.redis.provisioning;

/**
 * Recognises Redis error replies by their code (the first word of the reply, such as
 * {@code BUSYGROUP} or {@code NOGROUP}) anywhere in an exception's cause chain, since the
 * client and Spring's exception translation wrap them.
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

}
