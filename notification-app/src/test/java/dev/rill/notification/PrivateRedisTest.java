package dev.rill.notification;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.rill.binder.redis.test.RedisServerExtension;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A Spring test class on a real, private Redis, where notification-app keeps its sent
 * markers and per-order lists: the binder's fixture starts a {@code redis-server} before
 * the class' first test and stops it after its last, and Spring Data Redis (so also the
 * Redis Streams binder, where a subclass selects it) is pointed at it.
 * <p>
 * The subclass chooses what its context holds and how its tests are isolated: a class on
 * the test binder may {@link RedisServerExtension#flushAll() flush} before each test; one
 * on the real binder may not, since its {@code notify-in-0} binding's consumer group on
 * {@code order-status} must outlive every test.
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
