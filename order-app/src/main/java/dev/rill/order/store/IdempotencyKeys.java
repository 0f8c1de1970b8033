package dev.rill.order.store;

import java.util.ArrayList;
import java.util.List;

import dev.rill.order.OrderProperties;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * The {@code Idempotency-Key}s of {@code POST /orders}: {@code <prefix>idempotency:<key>} holds
 * the id of the order placed with the key.
 * <p>
 * While its order is being placed a key holds {@code pending:<orderId>} (with a short TTL), and
 * only once the {@code OrderPlaced} event was confirmed the bare order id (with the long TTL).
 * A second request with the key therefore never answers with an order whose event may still
 * fail; it learns that the first one is still in flight instead. When the send timed out, so
 * that the event may or may not have been written, the key holds {@code unknown:<orderId>}
 * (with the long TTL): it stays bound to that order, and a retry finishes placing that order
 * instead of placing another.
 */
@Component
public class IdempotencyKeys {

	private static final String PENDING = "pending:";

	private static final String UNKNOWN = "unknown:";

	/** KEYS: the key. ARGV: the pending value, its TTL in ms. Returns the value the key holds. */
	private static final RedisScript<String> RESERVE = new DefaultRedisScript<>("""
			if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
			  return ARGV[1]
			end
			return redis.call('GET', KEYS[1])
			""", String.class);

	/**
	 * KEYS: the key. ARGV: the new value, its TTL in ms, then the values it may replace. Returns
	 * 1 when it held one of them.
	 */
	private static final RedisScript<Long> REPLACE = new DefaultRedisScript<>("""
			local held = redis.call('GET', KEYS[1])
			for i = 3, #ARGV do
			  if held == ARGV[i] then
			    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
			    return 1
			  end
			end
			return 0
			""", Long.class);

	/** KEYS: the key. ARGV: the pending value. */
	private static final RedisScript<Long> RELEASE = new DefaultRedisScript<>("""
			if redis.call('GET', KEYS[1]) == ARGV[1] then
			  return redis.call('DEL', KEYS[1])
			end
			return 0
			""", Long.class);

	private final StringRedisTemplate redis;

	private final OrderProperties properties;

	/**
	 * @param redis the Redis access
	 * @param properties key prefix and TTLs
	 */
	public IdempotencyKeys(StringRedisTemplate redis, OrderProperties properties) {
		this.redis = redis;
		this.properties = properties;
	}

	/**
	 * Reserve a key for a new order (SET NX), or learn which order holds it.
	 * @param key the client's idempotency key
	 * @param orderId the id the new order would get
	 * @return the reservation
	 */
	public Reservation reserve(String key, String orderId) {
		String pending = PENDING + orderId;
		String held = this.redis.execute(RESERVE, List.of(redisKey(key)), pending,
				String.valueOf(this.properties.idempotencyPendingTtl().toMillis()));
		if (pending.equals(held)) {
			return new Reservation(Reservation.State.RESERVED, orderId);
		}
		if (held != null && held.startsWith(PENDING)) {
			return new Reservation(Reservation.State.IN_FLIGHT, held.substring(PENDING.length()));
		}
		if (held != null && held.startsWith(UNKNOWN)) {
			return new Reservation(Reservation.State.UNKNOWN, held.substring(UNKNOWN.length()));
		}
		return new Reservation(Reservation.State.PLACED, held);
	}

	/**
	 * The order was placed: the key now returns it for {@code idempotency-ttl}.
	 * @param key the client's idempotency key
	 * @param orderId the order reserved under it (pending, or of unknown outcome)
	 * @return false when the key held neither (the reservation had expired; it was not changed)
	 */
	public boolean complete(String key, String orderId) {
		return replace(key, orderId, PENDING + orderId, UNKNOWN + orderId);
	}

	/**
	 * The send of the order's event timed out: it may or may not have been written. The key
	 * stays bound to the order for {@code idempotency-ttl}, so that a retry finishes placing this
	 * order and never places a second one.
	 * @param key the client's idempotency key
	 * @param orderId the order reserved under it
	 * @return false when the reservation had expired meanwhile (the key was not changed)
	 */
	public boolean markUnknown(String key, String orderId) {
		return replace(key, UNKNOWN + orderId, PENDING + orderId);
	}

	private boolean replace(String key, String value, String... replaceable) {
		List<String> args = new ArrayList<>(List.of(value, String.valueOf(this.properties.idempotencyTtl().toMillis())));
		args.addAll(List.of(replaceable));
		Long done = this.redis.execute(REPLACE, List.of(redisKey(key)), args.toArray());
		return done != null && done == 1L;
	}

	/**
	 * The order could not be placed: free the key, so that the client's retry places it.
	 * @param key the client's idempotency key
	 * @param orderId the order reserved under it
	 */
	public void release(String key, String orderId) {
		this.redis.execute(RELEASE, List.of(redisKey(key)), PENDING + orderId);
	}

	private String redisKey(String key) {
		return this.properties.keyPrefix() + "idempotency:" + key;
	}

	/**
	 * The state of a key after {@link #reserve}.
	 *
	 * @param state what the key holds
	 * @param orderId the order the key belongs to
	 */
	public record Reservation(State state, String orderId) {

		/** What the key holds. */
		public enum State {

			/** This call reserved it: place the order. */
			RESERVED,

			/** Another request is placing its order right now. */
			IN_FLIGHT,

			/** The send of the key's order timed out: it may or may not have been written. */
			UNKNOWN,

			/** The key's order was placed. */
			PLACED

		}

	}

}
