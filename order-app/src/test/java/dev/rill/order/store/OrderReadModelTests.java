package dev.rill.order.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.rill.binder.redis.test.RedisServerExtension;
import dev.rill.order.events.OrderLine;
import dev.rill.order.store.OrderReadModel.Decision;
import dev.rill.order.store.OrderReadModel.Decision.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read model on a real Redis: orders only move forward, each stock event applies once.
 */
class OrderReadModelTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	static final Instant PLACED_AT = Instant.parse("2024-05-01T09:00:00Z");

	static final Instant DECIDED_AT = Instant.parse("2024-05-01T09:00:05Z");

	RedisStores stores;

	OrderReadModel readModel;

	@BeforeEach
	void clean() {
		redis.flushAll();
		this.stores = new RedisStores(redis);
		this.readModel = this.stores.readModel(RedisStores.properties(Duration.ofMinutes(2)));
	}

	@AfterEach
	void close() {
		this.stores.close();
	}

	@Test
	void anOrderIsCreatedOnceAndReadBack() {
		OrderRecord order = placed("o-1");

		assertThat(this.readModel.createIfAbsent(order)).isTrue();
		assertThat(this.readModel.createIfAbsent(placed("o-1"))).isFalse();

		assertThat(this.readModel.find("o-1")).contains(order);
		assertThat(this.readModel.find("o-unknown")).isEmpty();
		assertThat(this.stores.redis.hasKey("order:orders:o-1")).isTrue();
	}

	@Test
	void aStockEventDecidesAPlacedOrderOnce() {
		this.readModel.createIfAbsent(placed("o-1"));

		Decision first = this.readModel.decide("o-1", "s-1", OrderStatus.REJECTED, "out of stock", DECIDED_AT);
		Decision again = this.readModel.decide("o-1", "s-1", OrderStatus.REJECTED, "out of stock",
				DECIDED_AT.plusSeconds(60));

		assertThat(first.outcome()).isEqualTo(Outcome.APPLIED);
		assertThat(again.outcome()).isEqualTo(Outcome.DUPLICATE);
		OrderRecord decided = new OrderRecord("o-1", OrderStatus.REJECTED, "out of stock", "c-1", "c@example.com",
				List.of(new OrderLine("apple", 2)), DECIDED_AT);
		assertThat(first.order()).contains(decided);
		assertThat(again.order()).contains(decided);
		assertThat(this.stores.redis.getExpire("order:applied:s-1")).isPositive();
	}

	@Test
	void anUnknownOrderIsMissingAndTheEventIsNotRemembered() {
		assertThat(this.readModel.decide("o-1", "s-1", OrderStatus.CONFIRMED, null, DECIDED_AT).outcome())
			.isEqualTo(Outcome.MISSING);

		this.readModel.createIfAbsent(placed("o-1"));
		assertThat(this.readModel.decide("o-1", "s-1", OrderStatus.CONFIRMED, null, DECIDED_AT).outcome())
			.as("the same event applies once the order arrived")
			.isEqualTo(Outcome.APPLIED);
	}

	@Test
	void onlyAPlacedOrderIsDeleted() {
		this.readModel.createIfAbsent(placed("o-1"));
		this.readModel.createIfAbsent(placed("o-2"));
		this.readModel.decide("o-2", "s-2", OrderStatus.CONFIRMED, null, DECIDED_AT);

		assertThat(this.readModel.deleteIfPlaced("o-1")).isTrue();
		assertThat(this.readModel.deleteIfPlaced("o-2")).isFalse();

		assertThat(this.readModel.find("o-1")).isEmpty();
		assertThat(this.readModel.find("o-2").orElseThrow().status()).isEqualTo(OrderStatus.CONFIRMED);
	}

	@Test
	void concurrentAnswersDecideTheOrderExactlyOnce() throws Exception {
		this.readModel.createIfAbsent(placed("o-1"));
		int answers = 16;
		ExecutorService pool = Executors.newFixedThreadPool(8);
		CountDownLatch start = new CountDownLatch(1);
		List<CompletableFuture<Decision>> decisions = new ArrayList<>();
		try {
			for (int i = 0; i < answers; i++) {
				OrderStatus status = (i % 2 == 0) ? OrderStatus.CONFIRMED : OrderStatus.REJECTED;
				String eventId = "s-" + i;
				decisions.add(CompletableFuture.supplyAsync(() -> {
					await(start);
					return this.readModel.decide("o-1", eventId, status, "no", DECIDED_AT);
				}, pool));
			}
			start.countDown();
			List<Decision> done = decisions.stream().map(CompletableFuture::join).toList();

			assertThat(done).filteredOn(decision -> decision.outcome() == Outcome.APPLIED).hasSize(1);
			assertThat(done).filteredOn(decision -> decision.outcome() == Outcome.ALREADY_DECIDED)
				.hasSize(answers - 1);
			OrderRecord stored = this.readModel.find("o-1").orElseThrow();
			assertThat(done).allSatisfy(decision -> assertThat(decision.order()).contains(stored));
		}
		finally {
			pool.shutdownNow();
		}
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static OrderRecord placed(String orderId) {
		return OrderRecord.placed(orderId, "c-1", "c@example.com", List.of(new OrderLine("apple", 2)), PLACED_AT);
	}

}
