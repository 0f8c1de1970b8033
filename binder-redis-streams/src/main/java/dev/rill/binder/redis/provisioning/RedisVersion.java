package dev.rill.binder.redis.provisioning;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Redis server version as {@code INFO server} reports it in {@code redis_version}
 * ({@code 7.2.4}, {@code 6.2.14}, {@code 7.4-rc1}, ...), reduced to major, minor and
 * patch for comparison.
 * @param major the major version
 * @param minor the minor version
 * @param patch the patch version (0 when absent)
 */
public record RedisVersion(int major, int minor, int patch) implements Comparable<RedisVersion> {

	/** The oldest Redis the binder works with: it needs XAUTOCLAIM, XADD MINID and XPENDING IDLE. */
	public static final RedisVersion MINIMUM = new RedisVersion(6, 2, 0);

	private static final Pattern VERSION = Pattern.compile("^\\s*(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

	/**
	 * @param text the reported version
	 * @return the version, or empty when the text does not start with {@code major.minor}
	 */
	public static Optional<RedisVersion> parse(String text) {
		if (text == null) {
			return Optional.empty();
		}
		Matcher matcher = VERSION.matcher(text);
		if (!matcher.find()) {
			return Optional.empty();
		}
		try {
			int patch = (matcher.group(3) != null) ? Integer.parseInt(matcher.group(3)) : 0;
			return Optional.of(new RedisVersion(Integer.parseInt(matcher.group(1)),
					Integer.parseInt(matcher.group(2)), patch));
		}
		catch (NumberFormatException ex) {
			return Optional.empty();
		}
	}

	/**
	 * @param other another version
	 * @return whether this version is the other or newer
	 */
	public boolean isAtLeast(RedisVersion other) {
		return compareTo(other) >= 0;
	}

	@Override
	public int compareTo(RedisVersion other) {
		int byMajor = Integer.compare(this.major, other.major);
		if (byMajor != 0) {
			return byMajor;
		}
		int byMinor = Integer.compare(this.minor, other.minor);
		return (byMinor != 0) ? byMinor : Integer.compare(this.patch, other.patch);
	}

	@Override
	public String toString() {
		return this.major + "." + this.minor + "." + this.patch;
	}

}
