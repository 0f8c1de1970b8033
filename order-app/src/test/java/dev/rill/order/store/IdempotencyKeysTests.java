package dev.rill.order.store;

import java.time.Duration;

import dev.rill.binder.redis.test.RedisServerExtension;
import dev.rill.order.store.IdempotencyKeys.Reservation;
import dev.rill.order.store.IdempotencyKeys.Reservation.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The idempotency keys on a real Redis: reserved while the order is placed, then holding the
 * order id; only their own reservation is completed or released.
 */
class IdempotencyKeysTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	RedisStores stores;

	IdempotencyKeys keys;

	@BeforeEach
	void clean() {
		redis.flushAll();
		this.stores = new RedisStores(redis);
		this.keys = this.stores.idempotencyKeys(RedisStores.properties(Duration.ofMinutes(2)));
	}

	@AfterEach
	void close() {
		this.stores.close();
	}

	@Test
	void aFreeKeyIsReservedThenReturnsItsOrderOnceCompleted() {
		assertThat(this.keys.reserve("k", "o-1")).isEqualTo(new Reservation(State.RESERVED, "o-1"));
		assertThat(this.keys.reserve("k", "o-2")).isEqualTo(new Reservation(State.IN_FLIGHT, "o-1"));

		assertThat(this.keys.complete("k", "o-1")).isTrue();

		assertThat(this.keys.reserve("k", "o-3")).isEqualTo(new Reservation(State.PLACED, "o-1"));
		assertThat(this.stores.redis.opsForValue().get("order:idempotency:k")).isEqualTo("o-1");
		assertThat(this.stores.redis.getExpire("order:idempotency:k")).isGreaterThan(Duration.ofHours(23).toSeconds());
	}

	@Test
	void aReleasedKeyPlacesTheNextOrder() {
		this.keys.reserve("k", "o-1");

		this.keys.release("k", "o-1");

		assertThat(this.keys.reserve("k", "o-2")).isEqualTo(new Reservation(State.RESERVED, "o-2"));
	}

	@Test
	void aReservationIsOnlyCompletedOrReleasedByItsOwner() {
		this.keys.reserve("k", "o-1");

		this.keys.release("k", "o-other");
		assertThat(this.keys.complete("k", "o-other")).isFalse();

		assertThat(this.keys.reserve("k", "o-2").state()).isEqualTo(State.IN_FLIGHT);
		this.keys.complete("k", "o-1");
		this.keys.release("k", "o-1");
		assertThat(this.keys.reserve("k", "o-2")).isEqualTo(new Reservation(State.PLACED, "o-1"));
	}

	@Test
	void aKeyWhoseSendTimedOutStaysBoundToItsOrderForTheLongTtlUntilCompleted() {
		this.keys.reserve("k", "o-1");

		assertThat(this.keys.markUnknown("k", "o-1")).isTrue();

		assertThat(this.keys.reserve("k", "o-2")).isEqualTo(new Reservation(State.UNKNOWN, "o-1"));
		assertThat(this.stores.redis.getExpire("order:idempotency:k")).isGreaterThan(Duration.ofHours(23).toSeconds());
		this.keys.release("k", "o-1");
		assertThat(this.keys.reserve("k", "o-2")).as("not freed like a failed send")
			.isEqualTo(new Reservation(State.UNKNOWN, "o-1"));
		assertThat(this.keys.complete("k", "o-other")).isFalse();
		assertThat(this.keys.complete("k", "o-1")).isTrue();
		assertThat(this.keys.reserve("k", "o-2")).isEqualTo(new Reservation(State.PLACED, "o-1"));
		assertThat(this.keys.markUnknown("k", "o-1")).as("a placed order stays placed").isFalse();
	}

	@Test
	void anAbandonedReservationExpires() {
		IdempotencyKeys shortLived = this.stores.idempotencyKeys(RedisStores.properties(Duration.ofMillis(200)));
		shortLived.reserve("k", "o-1");

		await().atMost(Duration.ofSeconds(5))
			.until(() -> shortLived.reserve("k", "o-2").state() == State.RESERVED);
		assertThat(shortLived.complete("k", "o-1")).as("the expired owner changes nothing").isFalse();
		assertThat(shortLived.reserve("k", "o-3")).isEqualTo(new Reservation(State.IN_FLIGHT, "o-2"));
	}

}
