package dev.rill.order.saga;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import dev.rill.order.events.EventHeaders;
import dev.rill.order.events.OrderPlaced;
import dev.rill.order.events.UnreadableEventException;
import dev.rill.order.logging.OrderLogContext;
import dev.rill.order.store.OrderReadModel;
import dev.rill.order.store.OrderRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.messaging.Message;

/**
 * The projection {@code projectOrder}: every {@code OrderPlaced} on {@code orders} makes sure the
 * read model has the order, PLACED, unless it has it already (in any status: a decided order is
 * never set back). The HTTP edge writes the record itself before it sends the event, so in
 * normal operation this changes nothing; it lets the read model be rebuilt by replaying the
 * streams into an empty Redis.
 */
public class ProjectOrder implements Consumer<Message<OrderPlaced>> {

	private static final Logger log = LoggerFactory.getLogger(ProjectOrder.class);

	private final OrderReadModel readModel;

	/**
	 * @param readModel the orders
	 */
	public ProjectOrder(OrderReadModel readModel) {
		this.readModel = readModel;
	}

	@Override
	public void accept(Message<OrderPlaced> message) {
		EventHeaders.requireKnownEvent(message.getHeaders(), Set.of(OrderPlaced.TYPE));
		// A payload that could not be converted arrives as the raw bytes (see ConfirmOrder).
		Object payload = message.getPayload();
		if (!(payload instanceof OrderPlaced event)) {
			throw new UnreadableEventException(OrderPlaced.TYPE, payload);
		}
		if (event.orderId() == null || event.occurredAt() == null
				|| (event.items() != null && event.items().contains(null))) {
			throw new IllegalArgumentException("OrderPlaced without orderId or occurredAt, or with an empty item");
		}
		String correlationId = EventHeaders.text(message.getHeaders().get(EventHeaders.CORRELATION_ID));
		try (OrderLogContext context = OrderLogContext.open(correlationId, event.orderId())) {
			OrderRecord order = OrderRecord.placed(event.orderId(), event.customerId(), event.email(),
					(event.items() != null) ? event.items() : List.of(), event.occurredAt());
			if (this.readModel.createIfAbsent(order)) {
				log.info("Order {} projected as PLACED from its OrderPlaced event", event.orderId());
			}
			else {
				log.debug("Order {} already in the read model", event.orderId());
			}
		}
	}

}
