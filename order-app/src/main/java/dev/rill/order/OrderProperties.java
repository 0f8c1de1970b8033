package dev.rill.order;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * order-app's own settings, {@code rill.order.*}.
 *
 * @param keyPrefix prefix of every Redis key this service writes (read model, idempotency
 * keys, applied-event markers), so that the services can share one Redis
 * @param idempotencyTtl how long an {@code Idempotency-Key} keeps returning the order it
 * placed
 * @param idempotencyPendingTtl how long a key stays reserved while its order is being placed;
 * longer than the slowest send can take (the binder's send timeout), so that a crash in the
 * middle frees the key instead of blocking it for {@code idempotencyTtl}
 * @param appliedEventTtl how long the id of an applied stock event is remembered; longer than
 * any redelivery can come late (the read model's final states make later duplicates harmless
 * anyway)
 */
@ConfigurationProperties("rill.order")
public record OrderProperties(@DefaultValue("order:") String keyPrefix, @DefaultValue("24h") Duration idempotencyTtl,
		@DefaultValue("2m") Duration idempotencyPendingTtl, @DefaultValue("7d") Duration appliedEventTtl) {

	public OrderProperties {
		requirePositive("rill.order.idempotency-ttl", idempotencyTtl);
		requirePositive("rill.order.idempotency-pending-ttl", idempotencyPendingTtl);
		requirePositive("rill.order.applied-event-ttl", appliedEventTtl);
		if (keyPrefix == null) {
			keyPrefix = "";
		}
	}

	private static void requirePositive(String name, Duration value) {
		if (value == null || value.isNegative() || value.isZero() || value.toMillis() == 0) {
			throw new IllegalArgumentException(name + " must be at least 1ms, was " + value);
		}
	}

}
