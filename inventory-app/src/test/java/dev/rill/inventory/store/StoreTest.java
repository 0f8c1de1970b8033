package dev.rill.inventory.store;

import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.data.redis.DataRedisTest;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.rill.inventory.PrivateRedisTest;

/**
 * The stores in a {@code @DataRedisTest} slice on a private Redis, which is empty at the
 * start of every test; {@link #template} reads what they wrote.
 */
@DataRedisTest
@Import(StoreTestConfiguration.class)
abstract class StoreTest extends PrivateRedisTest {

	@Autowired
	StockStore stock;

	@Autowired
	ReservationStore reservations;

	@Autowired
	StringRedisTemplate template;

	@BeforeEach
	void emptyRedis() {
		redis.flushAll();
	}

}
