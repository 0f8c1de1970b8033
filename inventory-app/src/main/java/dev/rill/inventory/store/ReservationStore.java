package dev.rill.inventory.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Reservations of stock per order, in Redis, with one Lua script ({@code store/reserve.lua})
 * so that checking and moving the stock of all items and recording the outcome is one
 * atomic step: an order reserves all its items or none, and never twice.
 * <p>
 * The script touches the stock keys of all skus of an order, so on a Redis Cluster they
 * must share a slot (a hash tag in the key prefix); on a standalone or Sentinel Redis
 * nothing is needed.
 */
@Component
public class ReservationStore {

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> RESERVE = LuaScripts.load("store/reserve.lua", List.class);

	private final StringRedisTemplate redis;

	private final StockKeys keys;

	public ReservationStore(StringRedisTemplate redis, StockKeys keys) {
		this.redis = redis;
		this.keys = keys;
	}

	/**
	 * Reserve the stock of an order, unless the order was answered before: then return that
	 * answer and change nothing.
	 * @param orderId the order
	 * @param quantities the quantity per sku, every sku once, every quantity positive
	 * @param eventId the event id of the answer, if this call decides it
	 * @param occurredAt the time of the answer, if this call decides it
	 * @return the order's outcome
	 */
	public Reservation reserve(String orderId, Map<String, Long> quantities, UUID eventId, Instant occurredAt) {
		if (quantities.isEmpty()) {
			throw new IllegalArgumentException("Nothing to reserve for order " + orderId);
		}
		quantities.forEach((sku, quantity) -> {
			if (quantity == null || quantity <= 0) {
				throw new IllegalArgumentException("Quantity of " + sku + " must be positive: " + quantity);
			}
		});
		return run(orderId, quantities, "", eventId, occurredAt);
	}

	/**
	 * Record that an order is refused without looking at the stock (an order that cannot
	 * be reserved at all), unless it was answered before: then return that answer.
	 * @param orderId the order
	 * @param reason why it is refused
	 * @param eventId the event id of the answer, if this call decides it
	 * @param occurredAt the time of the answer, if this call decides it
	 * @return the order's outcome
	 */
	public Reservation reject(String orderId, String reason, UUID eventId, Instant occurredAt) {
		if (reason == null || reason.isBlank()) {
			throw new IllegalArgumentException("A rejection needs a reason");
		}
		return run(orderId, Map.of(), reason, eventId, occurredAt);
	}

	private Reservation run(String orderId, Map<String, Long> quantities, String reason, UUID eventId,
			Instant occurredAt) {
		List<String> keys = new ArrayList<>(1 + quantities.size());
		List<String> args = new ArrayList<>(3 + 2 * quantities.size());
		keys.add(this.keys.reservation(orderId));
		args.add(eventId.toString());
		args.add(occurredAt.toString());
		args.add(reason);
		quantities.forEach((sku, quantity) -> {
			keys.add(this.keys.stock(sku));
			args.add(sku);
			args.add(Long.toString(quantity));
		});
		List<?> result = this.redis.execute(RESERVE, keys, args.toArray());
		String outcomeReason = (String) result.get(4);
		return new Reservation("RESERVED".equals(result.get(1)), UUID.fromString((String) result.get(2)),
				Instant.parse((String) result.get(3)), outcomeReason.isEmpty() ? null : outcomeReason,
				"1".equals(result.get(0)));
	}

}
