package dev.rill.order;

import java.time.Clock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * order-app: takes orders over HTTP, starts the saga with {@code OrderPlaced} and keeps the
 * order read model up to date from the events (CQRS).
 */
@SpringBootApplication
@EnableConfigurationProperties(OrderProperties.class)
public class OrderApplication {

	/**
	 * @param args command line arguments
	 */
	public static void main(String[] args) {
		SpringApplication.run(OrderApplication.class, args);
	}

	/**
	 * @return the clock that stamps orders and events (replaceable in tests)
	 */
	@Bean
	@ConditionalOnMissingBean
	public Clock clock() {
		return Clock.systemUTC();
	}

}
