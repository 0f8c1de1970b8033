package dev.rill.inventory.store;

/**
 * The stock of one sku.
 *
 * @param sku the sku
 * @param available what can still be reserved
 * @param reserved what reservations hold
 */
public record StockLevel(String sku, long available, long reserved) {

}
