package dev.rill.binder.redis.provisioning;

/**
 * The Redis server is older than {@link RedisVersion#MINIMUM}: commands the binder relies
 * on ({@code XAUTOCLAIM}, {@code XADD ... MINID}, {@code XPENDING ... IDLE}) do not exist
 * there, and bindings would fail in ways that are hard to trace back to the version.
 */
public class UnsupportedRedisVersionException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	private final String version;

	private final RedisVersion minimum;

	/**
	 * @param version the version the server reported
	 * @param minimum the oldest version the binder works with
	 */
	public UnsupportedRedisVersionException(String version, RedisVersion minimum) {
		super("Redis " + version + " is too old for the Redis Streams binder, which needs Redis "
				+ minimum.major() + "." + minimum.minor() + " or newer");
		this.version = version;
		this.minimum = minimum;
	}

	/**
	 * @return the version the server reported
	 */
	public String getVersion() {
		return this.version;
	}

	/**
	 * @return the oldest version the binder works with
	 */
	public RedisVersion getMinimum() {
		return this.minimum;
	}

}
