package dev.rill.inventory;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of inventory-app, under {@code rill.inventory}.
 *
 * @param keyPrefix the prefix of every Redis key this service writes (stock hashes,
 * reservations), so that it can share a Redis with the other services and the streams
 */
@ConfigurationProperties("rill.inventory")
public record InventoryProperties(@DefaultValue("inventory:") String keyPrefix) {

}
