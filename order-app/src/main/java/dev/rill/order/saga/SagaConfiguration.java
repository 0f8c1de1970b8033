package dev.rill.order.saga;

import java.time.Clock;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.rill.order.events.OrderPlaced;
import dev.rill.order.events.OrderStatusEvent;
import dev.rill.order.events.StockEvent;
import dev.rill.order.store.OrderReadModel;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * The functions Spring Cloud Stream binds ({@code spring.cloud.function.definition}). Their
 * bindings (destinations, groups) are configuration; nothing here knows the transport.
 */
@Configuration(proxyBeanMethods = false)
public class SagaConfiguration {

	/**
	 * @param readModel the orders
	 * @param clock the time of decisions
	 * @return the saga step from {@code stock} to {@code order-status}
	 */
	@Bean
	public Function<Message<StockEvent>, Message<OrderStatusEvent>> confirmOrder(OrderReadModel readModel,
			Clock clock) {
		return new ConfirmOrder(readModel, clock);
	}

	/**
	 * @param readModel the orders
	 * @return the projection of {@code orders} into the read model
	 */
	@Bean
	public Consumer<Message<OrderPlaced>> projectOrder(OrderReadModel readModel) {
		return new ProjectOrder(readModel);
	}

}
