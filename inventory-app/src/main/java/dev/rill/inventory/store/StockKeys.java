package dev.rill.inventory.store;

import org.springframework.stereotype.Component;

import dev.rill.inventory.InventoryProperties;

/**
 * The names of the Redis keys of this service, all under its key prefix
 * ({@code rill.inventory.key-prefix}, {@code inventory:} by default).
 */
@Component
public class StockKeys {

	private final String prefix;

	public StockKeys(InventoryProperties properties) {
		this.prefix = properties.keyPrefix();
	}

	/**
	 * @param sku a sku
	 * @return the hash with the sku's {@code available} and {@code reserved} quantities
	 */
	public String stock(String sku) {
		return this.prefix + "stock:" + sku;
	}

	/**
	 * @param orderId an order id
	 * @return the hash that records how the order was answered (and what it reserved)
	 */
	public String reservation(String orderId) {
		return this.prefix + "reservation:" + orderId;
	}

}
