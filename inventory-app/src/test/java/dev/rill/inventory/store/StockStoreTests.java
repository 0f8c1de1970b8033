package dev.rill.inventory.store;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.data.redis.DataRedisTest;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.rill.binder.redis.test.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link StockStore} on a real Redis.
 */
@DataRedisTest
@Import(StoreTestConfiguration.class)
@DirtiesContext // its Redis stops with the class: no later class can use this context
class StockStoreTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	@DynamicPropertySource
	static void redisProps(DynamicPropertyRegistry registry) {
		redis.registerSpringProperties(registry);
	}

	@Autowired
	StockStore stock;

	@Autowired
	ReservationStore reservations;

	@Autowired
	StringRedisTemplate template;

	@BeforeEach
	void clean() {
		redis.flushAll();
	}

	@Test
	void setAvailableCreatesTheStockRecordWithNothingReserved() {
		assertThat(this.stock.setAvailable("apple", 7)).isEqualTo(new StockLevel("apple", 7, 0));
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 7, 0));
		assertThat(this.template.<String, String>opsForHash().entries("inventory:stock:apple"))
			.isEqualTo(Map.of("available", "7", "reserved", "0"));
	}

	@Test
	void setAvailableKeepsWhatIsReserved() {
		this.stock.setAvailable("apple", 10);
		this.reservations.reserve("o-1", Map.of("apple", 4L), UUID.randomUUID(), Instant.now());

		assertThat(this.stock.setAvailable("apple", 20)).isEqualTo(new StockLevel("apple", 20, 4));
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 20, 4));
	}

	@Test
	void setAvailableToZeroIsAllowedAndNegativeIsRefused() {
		assertThat(this.stock.setAvailable("apple", 0)).isEqualTo(new StockLevel("apple", 0, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> this.stock.setAvailable("apple", -1));
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 0, 0));
	}

	@Test
	void findIsEmptyForASkuWithoutStockRecord() {
		assertThat(this.stock.find("pear")).isEmpty();
	}

}
