package dev.rill.inventory;

import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.rill.binder.redis.test.RedisServerExtension;

/**
 * A Spring test class on a real, private Redis: the binder's fixture starts a
 * {@code redis-server} before the class' first test and stops it after its last, and Spring
 * Data Redis (so also the Redis Streams binder) is pointed at it.
 * <p>
 * What the context holds (a {@code @DataRedisTest} slice, the whole application, which
 * binder) stays with the subclass, and so does isolation between its tests: most
 * {@link RedisServerExtension#flushAll() flush} before each, but not a class whose binding
 * on the real binder owns a consumer group that must outlive the flush.
 */
@DirtiesContext // its Redis stops with the class: no later class can use this context
public abstract class PrivateRedisTest {

	// One extension for all subclasses (a static field of this class): it stops the server
	// after each class and starts it again, empty, for the next.
	@RegisterExtension
	protected static final RedisServerExtension redis = RedisServerExtension.create();

	@DynamicPropertySource
	static void redisProperties(DynamicPropertyRegistry registry) {
		redis.registerSpringProperties(registry);
	}

}
