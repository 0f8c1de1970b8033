package dev.rill.order.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rill.order.OrderProperties;
import dev.rill.order.events.OrderLine;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * The order read model: one Redis hash per order, {@code <prefix>orders:<orderId>}, with the
 * fields {@code status}, {@code reason}, {@code customerId}, {@code email}, {@code items} (JSON)
 * and {@code updatedAt}.
 * <p>
 * Every change is one Lua script, so that concurrent writers (the HTTP edge, the projection of
 * {@code orders}, the saga step on {@code stock}) can only move an order forward: PLACED is
 * created only where nothing exists, and only a PLACED order is decided or removed.
 */
@Component
public class OrderReadModel {

	private static final RedisScript<Long> CREATE_IF_ABSENT = new DefaultRedisScript<>("""
			if redis.call('EXISTS', KEYS[1]) == 1 then
			  return 0
			end
			redis.call('HSET', KEYS[1], unpack(ARGV))
			return 1
			""", Long.class);

	private static final RedisScript<Long> DELETE_IF_PLACED = new DefaultRedisScript<>("""
			if redis.call('HGET', KEYS[1], 'status') == 'PLACED' then
			  return redis.call('DEL', KEYS[1])
			end
			return 0
			""", Long.class);

	/**
	 * KEYS: the order, the applied marker of the stock event. ARGV: new status, reason ('' for
	 * none), updatedAt, marker TTL in ms. Returns the outcome followed by the order's fields
	 * after the call (HGETALL), so the caller sees the state it produced, not a later read.
	 */
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> DECIDE = new DefaultRedisScript<>("""
			if redis.call('EXISTS', KEYS[1]) == 0 then
			  return {'MISSING'}
			end
			local outcome
			if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[4]) then
			  outcome = 'DUPLICATE'
			elseif redis.call('HGET', KEYS[1], 'status') == 'PLACED' then
			  redis.call('HSET', KEYS[1], 'status', ARGV[1], 'updatedAt', ARGV[3])
			  if ARGV[2] == '' then
			    redis.call('HDEL', KEYS[1], 'reason')
			  else
			    redis.call('HSET', KEYS[1], 'reason', ARGV[2])
			  end
			  outcome = 'APPLIED'
			else
			  outcome = 'ALREADY_DECIDED'
			end
			local result = redis.call('HGETALL', KEYS[1])
			table.insert(result, 1, outcome)
			return result
			""", List.class);

	private static final TypeReference<List<OrderLine>> ITEMS = new TypeReference<>() {
	};

	private final StringRedisTemplate redis;

	private final ObjectMapper json;

	private final OrderProperties properties;

	/**
	 * @param redis the Redis access
	 * @param json encodes the items
	 * @param properties key prefix and marker TTL
	 */
	public OrderReadModel(StringRedisTemplate redis, ObjectMapper json, OrderProperties properties) {
		this.redis = redis;
		this.json = json;
		this.properties = properties;
	}

	/**
	 * Store an order unless the read model already has one with its id (whatever its status: a
	 * decided order is never set back to PLACED).
	 * @param order the order to store
	 * @return whether it was stored
	 */
	public boolean createIfAbsent(OrderRecord order) {
		List<String> fields = new ArrayList<>(List.of("status", order.status().name(), "customerId",
				order.customerId(), "email", order.email(), "items", writeItems(order.items()), "updatedAt",
				order.updatedAt().toString()));
		if (order.reason() != null) {
			fields.add("reason");
			fields.add(order.reason());
		}
		Long created = this.redis.execute(CREATE_IF_ABSENT, List.of(orderKey(order.orderId())), fields.toArray());
		return created != null && created == 1L;
	}

	/**
	 * @param orderId an order id
	 * @return the order, if the read model has it
	 */
	public Optional<OrderRecord> find(String orderId) {
		Map<Object, Object> fields = this.redis.opsForHash().entries(orderKey(orderId));
		if (fields.isEmpty()) {
			return Optional.empty();
		}
		Map<String, String> text = new HashMap<>();
		fields.forEach((name, value) -> text.put(String.valueOf(name), String.valueOf(value)));
		return Optional.of(toRecord(orderId, text));
	}

	/**
	 * Remove an order that was never announced (its {@code OrderPlaced} could not be sent).
	 * Only a PLACED order is removed: one that was decided meanwhile was announced after all.
	 * @param orderId the order
	 * @return whether it was removed
	 */
	public boolean deleteIfPlaced(String orderId) {
		Long deleted = this.redis.execute(DELETE_IF_PLACED, List.of(orderKey(orderId)));
		return deleted != null && deleted == 1L;
	}

	/**
	 * Apply inventory's answer, once per stock event id: a PLACED order takes the new status;
	 * a redelivered event, or a second answer for an order already decided, changes nothing.
	 * The marker and the status change are one atomic step.
	 * @param orderId the order
	 * @param stockEventId the id of the stock event, remembered so it is applied only once
	 * @param status CONFIRMED or REJECTED
	 * @param reason why it was rejected, or null
	 * @param now the time of the change
	 * @return what happened and the order as it is now (absent when the order is unknown)
	 */
	public Decision decide(String orderId, String stockEventId, OrderStatus status, String reason, Instant now) {
		if (status == OrderStatus.PLACED) {
			throw new IllegalArgumentException("An order is decided as CONFIRMED or REJECTED, not " + status);
		}
		List<?> reply = this.redis.execute(DECIDE, List.of(orderKey(orderId), appliedKey(stockEventId)),
				status.name(), (reason != null) ? reason : "", now.toString(),
				String.valueOf(this.properties.appliedEventTtl().toMillis()));
		if (reply == null || reply.isEmpty()) {
			throw new IllegalStateException("The decide script returned nothing for order " + orderId);
		}
		Decision.Outcome outcome = Decision.Outcome.valueOf(String.valueOf(reply.get(0)));
		if (outcome == Decision.Outcome.MISSING) {
			return new Decision(outcome, Optional.empty());
		}
		Map<String, String> fields = new HashMap<>();
		for (int i = 1; i + 1 < reply.size(); i += 2) {
			fields.put(String.valueOf(reply.get(i)), String.valueOf(reply.get(i + 1)));
		}
		return new Decision(outcome, Optional.of(toRecord(orderId, fields)));
	}

	private OrderRecord toRecord(String orderId, Map<String, String> fields) {
		return new OrderRecord(orderId, OrderStatus.valueOf(fields.get("status")), fields.get("reason"),
				fields.get("customerId"), fields.get("email"), readItems(fields.get("items")),
				Instant.parse(fields.get("updatedAt")));
	}

	private String writeItems(List<OrderLine> items) {
		try {
			return this.json.writeValueAsString(items);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("Cannot encode order items", ex);
		}
	}

	private List<OrderLine> readItems(String items) {
		if (items == null) {
			return List.of();
		}
		try {
			return List.copyOf(this.json.readValue(items, ITEMS));
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("Stored order items are not readable", ex);
		}
	}

	private String orderKey(String orderId) {
		return this.properties.keyPrefix() + "orders:" + orderId;
	}

	private String appliedKey(String eventId) {
		return this.properties.keyPrefix() + "applied:" + eventId;
	}

	/**
	 * What {@link #decide} did.
	 *
	 * @param outcome what happened
	 * @param order the order after the call; empty when it is {@link Outcome#MISSING}
	 */
	public record Decision(Outcome outcome, Optional<OrderRecord> order) {

		/** What happened to the order. */
		public enum Outcome {

			/** The order was PLACED and took the new status. */
			APPLIED,

			/** This stock event was applied before; nothing changed. */
			DUPLICATE,

			/** Another stock event decided the order before; nothing changed. */
			ALREADY_DECIDED,

			/** The read model has no such order (yet); nothing changed, nothing remembered. */
			MISSING

		}

	}

}
