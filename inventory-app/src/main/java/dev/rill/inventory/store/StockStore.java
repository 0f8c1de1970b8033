package dev.rill.inventory.store;

import java.util.List;
import java.util.Optional;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Stock levels in Redis: one hash per sku with fields {@code available} and
 * {@code reserved}. Setting the available quantity never touches what is reserved.
 */
@Component
public class StockStore {

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> SET_AVAILABLE = LuaScripts.load("store/set-available.lua", List.class);

	private final StringRedisTemplate redis;

	private final StockKeys keys;

	public StockStore(StringRedisTemplate redis, StockKeys keys) {
		this.redis = redis;
		this.keys = keys;
	}

	/**
	 * Set the quantity that can be reserved, creating the stock record if needed.
	 * @param sku the sku
	 * @param available the new available quantity, not negative
	 * @return the stock after the change
	 */
	public StockLevel setAvailable(String sku, long available) {
		if (available < 0) {
			throw new IllegalArgumentException("available must not be negative: " + available);
		}
		List<?> level = this.redis.execute(SET_AVAILABLE, List.of(this.keys.stock(sku)), Long.toString(available));
		return new StockLevel(sku, Long.parseLong((String) level.get(0)), Long.parseLong((String) level.get(1)));
	}

	/**
	 * @param sku a sku
	 * @return its stock, or empty when it has no stock record
	 */
	public Optional<StockLevel> find(String sku) {
		List<Object> level = this.redis.opsForHash().multiGet(this.keys.stock(sku), List.of("available", "reserved"));
		if (level.get(0) == null) {
			return Optional.empty();
		}
		return Optional.of(new StockLevel(sku, Long.parseLong((String) level.get(0)),
				(level.get(1) != null) ? Long.parseLong((String) level.get(1)) : 0));
	}

}
