package dev.rill.notification;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * notification-app: reads {@code OrderConfirmed} / {@code OrderRejected} from the
 * {@code order-status} destination and tells the customer, once per order and status,
 * through an outbound channel guarded by a Resilience4j circuit breaker and retry.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class NotificationApplication {

	public static void main(String[] args) {
		SpringApplication.run(NotificationApplication.class, args);
	}

}
