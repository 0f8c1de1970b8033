package dev.rill.binder.redis.provisioning;

import java.util.Properties;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Fails the start of the binder, and so of the application, when the Redis server is
 * older than {@link RedisVersion#MINIMUM}, with an {@link UnsupportedRedisVersionException}.
 * <p>
 * Checked once, when the binder's context starts (on the first binding), from
 * {@code redis_version} of {@code INFO server}; with Redis Cluster every node's version
 * is checked. Like {@link DestinationKeyTypeVerifier}, a Redis that cannot be reached (or
 * refuses {@code INFO}) is not reported here: the check is skipped and the bindings retry.
 */
public class RedisVersionVerifier implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(RedisVersionVerifier.class);

	private static final String VERSION_FIELD = "redis_version";

	private final RedisConnectionFactory connectionFactory;

	public RedisVersionVerifier(RedisConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	@Override
	public void afterSingletonsInstantiated() {
		Properties info;
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			info = connection.serverCommands().info("server");
		}
		catch (RuntimeException ex) {
			logger.info("Could not check the Redis server's version now (" + ex.getMessage() + ")");
			return;
		}
		if (info == null) {
			return;
		}
		// A cluster connection prefixes each node's fields with the node's address.
		info.stringPropertyNames()
			.stream()
			.filter(name -> name.equals(VERSION_FIELD) || name.endsWith("." + VERSION_FIELD))
			.map(info::getProperty)
			.forEach(RedisVersionVerifier::verify);
	}

	/**
	 * @param reported a version as the server reported it
	 * @throws UnsupportedRedisVersionException when it is older than the minimum
	 */
	static void verify(String reported) {
		RedisVersion.parse(reported).ifPresentOrElse(version -> {
			if (!version.isAtLeast(RedisVersion.MINIMUM)) {
				throw new UnsupportedRedisVersionException(reported.trim(), RedisVersion.MINIMUM);
			}
		}, () -> logger.info("Cannot tell the Redis server's version from '" + reported + "'; not checking it"));
	}

}
