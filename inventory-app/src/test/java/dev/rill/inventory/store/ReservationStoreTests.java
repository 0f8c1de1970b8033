package dev.rill.inventory.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link ReservationStore} (the reservation Lua script) on a real Redis.
 */
class ReservationStoreTests extends StoreTest {

	static final Instant NOW = Instant.parse("2025-01-02T03:04:05.123456Z");

	@Test
	void reserveMovesEveryQuantityFromAvailableToReservedAndRecordsTheOutcome() {
		this.stock.setAvailable("apple", 10);
		this.stock.setAvailable("pear", 3);
		UUID eventId = UUID.randomUUID();

		Reservation reservation = this.reservations.reserve("o-1", quantities("apple", 4, "pear", 3), eventId, NOW);

		assertThat(reservation).isEqualTo(new Reservation(true, eventId, NOW, null, false));
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 6, 4));
		assertThat(this.stock.find("pear")).contains(new StockLevel("pear", 0, 3));
		assertThat(this.template.<String, String>opsForHash().entries("inventory:reservation:o-1"))
			.containsEntry("status", "RESERVED")
			.containsEntry("eventId", eventId.toString())
			.containsEntry("occurredAt", NOW.toString())
			.containsEntry("item:apple", "4")
			.containsEntry("item:pear", "3")
			.doesNotContainKey("reason");
	}

	@Test
	void reserveRejectsAnUnknownSkuAndReservesNothing() {
		this.stock.setAvailable("apple", 10);

		Reservation reservation = this.reservations.reserve("o-1", quantities("apple", 1, "kiwi", 1),
				UUID.randomUUID(), NOW);

		assertThat(reservation.reserved()).isFalse();
		assertThat(reservation.reason()).isEqualTo("unknown sku kiwi");
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 10, 0));
		assertThat(this.stock.find("kiwi")).isEmpty();
	}

	@Test
	void reserveRejectsInsufficientStockAndLeavesAllItemsUntouched() {
		this.stock.setAvailable("apple", 10);
		this.stock.setAvailable("pear", 2);
		this.stock.setAvailable("plum", 10);

		// apple would fit and comes first: it must not be reserved either.
		Reservation reservation = this.reservations.reserve("o-1", quantities("apple", 5, "pear", 3, "plum", 1),
				UUID.randomUUID(), NOW);

		assertThat(reservation.reserved()).isFalse();
		assertThat(reservation.reason()).isEqualTo("insufficient stock for sku pear: requested 3, available 2");
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 10, 0));
		assertThat(this.stock.find("pear")).contains(new StockLevel("pear", 2, 0));
		assertThat(this.stock.find("plum")).contains(new StockLevel("plum", 10, 0));
		assertThat(this.template.<String, String>opsForHash().entries("inventory:reservation:o-1"))
			.containsEntry("status", "REJECTED")
			.containsEntry("reason", "insufficient stock for sku pear: requested 3, available 2")
			.doesNotContainKeys("item:apple", "item:pear", "item:plum");
	}

	@Test
	void reservingTheSameOrderAgainChangesNothingAndReturnsTheFirstOutcome() {
		this.stock.setAvailable("apple", 10);
		UUID first = UUID.randomUUID();
		this.reservations.reserve("o-1", quantities("apple", 4), first, NOW);

		Reservation again = this.reservations.reserve("o-1", quantities("apple", 4), UUID.randomUUID(),
				NOW.plusSeconds(60));

		assertThat(again).isEqualTo(new Reservation(true, first, NOW, null, true));
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 6, 4));
	}

	@Test
	void aRejectedOrderStaysRejectedWhenStockArrivesBeforeItIsRedelivered() {
		this.stock.setAvailable("apple", 1);
		UUID first = UUID.randomUUID();
		this.reservations.reserve("o-1", quantities("apple", 4), first, NOW);
		this.stock.setAvailable("apple", 100);

		Reservation again = this.reservations.reserve("o-1", quantities("apple", 4), UUID.randomUUID(), NOW);

		assertThat(again).isEqualTo(new Reservation(false, first, NOW,
				"insufficient stock for sku apple: requested 4, available 1", true));
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 100, 0));
	}

	@Test
	void rejectRecordsTheReasonOnceWithoutTouchingStock() {
		this.stock.setAvailable("apple", 10);
		UUID first = UUID.randomUUID();

		Reservation rejected = this.reservations.reject("o-1", "order has no items", first, NOW);
		Reservation again = this.reservations.reject("o-1", "order has no items", UUID.randomUUID(), NOW);

		assertThat(rejected).isEqualTo(new Reservation(false, first, NOW, "order has no items", false));
		assertThat(again).isEqualTo(new Reservation(false, first, NOW, "order has no items", true));
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 10, 0));
	}

	@Test
	void reserveRefusesEmptyOrderAndNonPositiveQuantities() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.reservations.reserve("o-1", Map.of(), UUID.randomUUID(), NOW));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.reservations.reserve("o-1", quantities("apple", 0), UUID.randomUUID(), NOW));
		assertThat(this.template.hasKey("inventory:reservation:o-1")).isFalse();
	}

	@Test
	void concurrentOrdersNeverReserveMoreThanIsAvailable() throws Exception {
		this.stock.setAvailable("apple", 5);
		List<Callable<Reservation>> orders = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			String orderId = "o-" + i;
			orders.add(() -> this.reservations.reserve(orderId, quantities("apple", 1), UUID.randomUUID(), NOW));
		}
		ExecutorService pool = Executors.newFixedThreadPool(8);
		List<Reservation> outcomes = new ArrayList<>();
		try {
			for (Future<Reservation> outcome : pool.invokeAll(orders)) {
				outcomes.add(outcome.get());
			}
		}
		finally {
			pool.shutdownNow();
		}

		assertThat(outcomes).filteredOn(Reservation::reserved).hasSize(5);
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 0, 5));
	}

	private static Map<String, Long> quantities(Object... skuAndQuantity) {
		Map<String, Long> quantities = new LinkedHashMap<>();
		for (int i = 0; i < skuAndQuantity.length; i += 2) {
			quantities.put((String) skuAndQuantity[i], ((Integer) skuAndQuantity[i + 1]).longValue());
		}
		return quantities;
	}

}
