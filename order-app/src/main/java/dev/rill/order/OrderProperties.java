package dev.rill.order;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

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
 * @param maxRequestSize the largest request body accepted (e.g. {@code 128KB}, {@code 1MB});
 * a larger one is answered 413 before more than this is read, whether it declares its
 * {@code Content-Length} or is sent chunked. A typical order is under 1 KB; the largest valid
 * one (100 item lines, every field at its maximum length) is about 13 KB in ASCII, and about
 * 66 KB with every character written as a JSON unicode escape (six bytes each). The default,
 * 128 KB, accepts every valid order however it is encoded or indented, and refuses what no
 * order can be
 */
@ConfigurationProperties("rill.order")
public record OrderProperties(@DefaultValue("order:") String keyPrefix, @DefaultValue("24h") Duration idempotencyTtl,
		@DefaultValue("2m") Duration idempotencyPendingTtl, @DefaultValue("7d") Duration appliedEventTtl,
		@DefaultValue("128KB") DataSize maxRequestSize) {

	public OrderProperties {
		requirePositive("rill.order.idempotency-ttl", idempotencyTtl);
		requirePositive("rill.order.idempotency-pending-ttl", idempotencyPendingTtl);
		requirePositive("rill.order.applied-event-ttl", appliedEventTtl);
		if (maxRequestSize == null || maxRequestSize.toBytes() < 1) {
			throw new IllegalArgumentException("rill.order.max-request-size must be at least 1B, was " + maxRequestSize);
		}
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
