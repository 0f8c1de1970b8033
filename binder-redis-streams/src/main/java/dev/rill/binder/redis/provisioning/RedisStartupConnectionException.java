package dev.rill.binder.redis.provisioning;


/**
 * The binder could not talk to Redis when it started, and the start must fail: the
 * problem never heals by waiting (wrong credentials, a TLS mismatch), or the application
 * asked to fail fast ({@code spring.cloud.stream.redis.binder.fail-fast}).
 */
public class RedisStartupConnectionException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	private final RedisConnectionProblem problem;

	/**
	 * @param problem what kind of problem it is
	 * @param cause what connecting to Redis threw
	 */
	public RedisStartupConnectionException(RedisConnectionProblem problem, Throwable cause) {
		super("The Redis Streams binder could not talk to Redis at startup (" + problem + "): "
				+ reason(cause), cause);
		this.problem = problem;
	}

	/**
	 * @return what kind of problem it is
	 */
	public RedisConnectionProblem getProblem() {
		return this.problem;
	}

	/**
	 * @return Redis' or the network's own words: the message of the most specific cause
	 */
	public String getReason() {
		return reason(getCause());
	}

	private static String reason(Throwable cause) {
		return RedisErrorReply.reasonOf(cause);
	}

}
