package dev.rill.inventory;

import java.time.Clock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * inventory-app: keeps stock levels in Redis and answers every {@code OrderPlaced} with
 * {@code StockReserved} or {@code StockRejected} (the {@code reserveStock} function).
 */
@SpringBootApplication
@EnableConfigurationProperties(InventoryProperties.class)
public class InventoryApplication {

	public static void main(String[] args) {
		SpringApplication.run(InventoryApplication.class, args);
	}

	/**
	 * The time source of the {@code occurredAt} of emitted events; a bean so that tests can
	 * replace it.
	 * @return the system clock in UTC
	 */
	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

}
