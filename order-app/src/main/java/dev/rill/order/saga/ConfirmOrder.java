package dev.rill.order.saga;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import dev.rill.order.events.EventHeaders;
import dev.rill.order.events.OrderStatusEvent;
import dev.rill.order.events.StockEvent;
import dev.rill.order.events.UnreadableEventException;
import dev.rill.order.logging.OrderLogContext;
import dev.rill.order.store.OrderReadModel;
import dev.rill.order.store.OrderReadModel.Decision;
import dev.rill.order.store.OrderRecord;
import dev.rill.order.store.OrderStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;

/**
 * The saga step {@code confirmOrder}: inventory's answer ({@code StockReserved} or
 * {@code StockRejected}, from {@code stock}) decides the order in the read model, and the
 * outcome is announced on {@code order-status} ({@code OrderConfirmed} or
 * {@code OrderRejected}) for notification-app.
 * <p>
 * Idempotent: each stock event id is applied once (atomically with the status change), and
 * the announcement is always built from the stored order, with an id derived from order id and
 * status and the time of the decision, so a redelivered stock event re-emits an equal event
 * instead of a second, different one. The answer to any stock event about a decided order is
 * that order's outcome; a contradicting second answer from inventory changes nothing.
 */
public class ConfirmOrder implements Function<Message<StockEvent>, Message<OrderStatusEvent>> {

	private static final Logger log = LoggerFactory.getLogger(ConfirmOrder.class);

	private static final Set<String> STOCK_EVENTS = Set.of(StockEvent.RESERVED, StockEvent.REJECTED);

	private final OrderReadModel readModel;

	private final Clock clock;

	/**
	 * @param readModel the orders
	 * @param clock the time of decisions
	 */
	public ConfirmOrder(OrderReadModel readModel, Clock clock) {
		this.readModel = readModel;
		this.clock = clock;
	}

	@Override
	public Message<OrderStatusEvent> apply(Message<StockEvent> message) {
		String type = EventHeaders.requireKnownEvent(message.getHeaders(), STOCK_EVENTS);
		// A payload that could not be converted (not JSON, or JSON of another shape) arrives as
		// the raw bytes: look before using it as a StockEvent.
		Object payload = message.getPayload();
		if (!(payload instanceof StockEvent event)) {
			throw new UnreadableEventException(type, payload);
		}
		if (event.eventId() == null || event.orderId() == null) {
			throw new IllegalArgumentException(type + " without eventId or orderId");
		}
		String correlationId = EventHeaders.text(message.getHeaders().get(EventHeaders.CORRELATION_ID));
		if (correlationId == null) {
			correlationId = UUID.randomUUID().toString();
		}
		try (OrderLogContext context = OrderLogContext.open(correlationId, event.orderId())) {
			boolean reserved = StockEvent.RESERVED.equals(type);
			OrderStatus status = reserved ? OrderStatus.CONFIRMED : OrderStatus.REJECTED;
			String reason = reserved ? null : reasonOf(event);
			Decision decision = this.readModel.decide(event.orderId(), event.eventId(), status, reason,
					this.clock.instant());
			OrderRecord order = decision.order().orElseThrow(() -> new OrderNotYetKnownException(event.orderId()));
			logDecision(decision, type, event, order);
			return announce(order, correlationId);
		}
	}

	private static String reasonOf(StockEvent event) {
		return (event.reason() != null && !event.reason().isBlank()) ? event.reason() : "stock rejected";
	}

	private static void logDecision(Decision decision, String type, StockEvent event, OrderRecord order) {
		switch (decision.outcome()) {
			case APPLIED -> log.info("Order {} {} ({})", order.orderId(), order.status(), type);
			case DUPLICATE -> log.info("{} {} for order {} was applied before; announcing {} again", type,
					event.eventId(), order.orderId(), order.status());
			case ALREADY_DECIDED -> {
				if (order.status().name().equals(typeStatus(type))) {
					log.info("Order {} was already {}; {} {} changes nothing", order.orderId(), order.status(), type,
							event.eventId());
				}
				else {
					log.warn("Order {} is {} but {} {} contradicts it; keeping {}", order.orderId(), order.status(),
							type, event.eventId(), order.status());
				}
			}
			default -> {
			}
		}
	}

	private static String typeStatus(String type) {
		return StockEvent.RESERVED.equals(type) ? OrderStatus.CONFIRMED.name() : OrderStatus.REJECTED.name();
	}

	private static Message<OrderStatusEvent> announce(OrderRecord order, String correlationId) {
		boolean confirmed = order.status() == OrderStatus.CONFIRMED;
		String eventType = confirmed ? OrderStatusEvent.CONFIRMED : OrderStatusEvent.REJECTED;
		OrderStatusEvent event = new OrderStatusEvent(statusEventId(order), order.orderId(), order.customerId(),
				order.email(), order.updatedAt(), confirmed ? null : order.reason());
		return MessageBuilder.withPayload(event)
			.setHeader(EventHeaders.EVENT_TYPE, eventType)
			.setHeader(EventHeaders.EVENT_VERSION, EventHeaders.CURRENT_VERSION)
			.setHeader(EventHeaders.CORRELATION_ID, correlationId)
			.setHeader(EventHeaders.ORDER_ID, order.orderId())
			.build();
	}

	/**
	 * A name-based UUID of order id and status: an order reaches its outcome once, so every
	 * announcement of that outcome (after a redelivery, or a duplicate answer from inventory) has
	 * the same id, and downstream deduplication by event id works.
	 */
	static String statusEventId(OrderRecord order) {
		return UUID.nameUUIDFromBytes(("rill:order-status:" + order.orderId() + ":" + order.status())
			.getBytes(StandardCharsets.UTF_8)).toString();
	}

}
