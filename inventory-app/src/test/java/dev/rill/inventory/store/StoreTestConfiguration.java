package dev.rill.inventory.store;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;

import dev.rill.inventory.InventoryProperties;

/**
 * The stores and what they need, for {@code @DataRedisTest} slices.
 */
@TestConfiguration(proxyBeanMethods = false)
@EnableConfigurationProperties(InventoryProperties.class)
@Import({ StockKeys.class, StockStore.class, ReservationStore.class })
class StoreTestConfiguration {

}
