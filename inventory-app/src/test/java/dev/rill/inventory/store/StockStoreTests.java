package dev.rill.inventory.store;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link StockStore} on a real Redis.
 */
class StockStoreTests extends StoreTest {

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
