package dev.rill.inventory.reservation;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.stereotype.Component;

import dev.rill.inventory.events.EventHeaders;
import dev.rill.inventory.events.OrderPlaced;
import dev.rill.inventory.events.StockEvent;
import dev.rill.inventory.events.UnreadableEventException;
import dev.rill.inventory.store.Reservation;
import dev.rill.inventory.store.ReservationStore;

/**
 * The {@code reserveStock} function: answers each {@code OrderPlaced} (destination
 * {@code orders}) with {@code StockReserved} or {@code StockRejected} (destination
 * {@code stock}), reserving the stock of all items of the order or none.
 * <p>
 * Idempotent per order: a redelivered {@code OrderPlaced} reserves nothing again and gets
 * the answer it got the first time, with the same event id, so the downstream consumers'
 * own de-duplication by event id works too.
 * <p>
 * A message that is not an {@code OrderPlaced} of a known version, has a payload that is not
 * the JSON of one ({@link UnreadableEventException}) or has no order id, makes it throw an
 * {@link IllegalArgumentException}, which the binding does not retry, so the message goes to
 * the dead letters at once. An order that is well formed but cannot be reserved
 * as such (no items, an item without sku or with a quantity below 1) is rejected, so the
 * saga still ends.
 */
@Component("reserveStock")
public class ReserveStock implements Function<Message<OrderPlaced>, Message<StockEvent>> {

	static final String ORDER_PLACED = "OrderPlaced";

	private static final Logger logger = LoggerFactory.getLogger(ReserveStock.class);

	private final ReservationStore reservations;

	private final Clock clock;

	public ReserveStock(ReservationStore reservations, Clock clock) {
		this.reservations = reservations;
		this.clock = clock;
	}

	@Override
	public Message<StockEvent> apply(Message<OrderPlaced> message) {
		// A payload that could not be converted (not JSON, or JSON of another shape) arrives as
		// the raw bytes: look before using it as an OrderPlaced.
		Object payload = message.getPayload();
		OrderPlaced order = (payload instanceof OrderPlaced readable) ? readable : null;
		String correlationId = EventHeaders.text(message.getHeaders().get(EventHeaders.CORRELATION_ID));
		String orderId = (order != null && order.orderId() != null) ? order.orderId()
				: EventHeaders.text(message.getHeaders().get(EventHeaders.ORDER_ID));
		if (correlationId == null) {
			// Every event of an order carries one; make one rather than break the chain.
			correlationId = UUID.randomUUID().toString();
		}
		MDC.put(EventHeaders.CORRELATION_ID, correlationId);
		putOrRemove(EventHeaders.ORDER_ID, orderId);
		try {
			EventHeaders.requireKnownEvent(message.getHeaders(), ORDER_PLACED);
			if (order == null) {
				throw new UnreadableEventException(ORDER_PLACED, payload);
			}
			if (order.orderId() == null || order.orderId().isBlank()) {
				throw new IllegalArgumentException("OrderPlaced " + order.eventId() + " has no orderId");
			}
			Reservation reservation = decide(order);
			log(order, reservation);
			StockEvent event = new StockEvent(reservation.eventId(), order.orderId(), reservation.occurredAt(),
					reservation.reason());
			return MessageBuilder.withPayload(event)
				.setHeader(EventHeaders.EVENT_TYPE, event.eventType())
				.setHeader(EventHeaders.EVENT_VERSION, EventHeaders.CURRENT_VERSION)
				.setHeader(EventHeaders.CORRELATION_ID, correlationId)
				.setHeader(EventHeaders.ORDER_ID, order.orderId())
				.build();
		}
		finally {
			MDC.remove(EventHeaders.CORRELATION_ID);
			MDC.remove(EventHeaders.ORDER_ID);
		}
	}

	private Reservation decide(OrderPlaced order) {
		UUID eventId = UUID.randomUUID();
		List<OrderPlaced.Item> items = (order.items() != null) ? order.items() : List.of();
		if (items.isEmpty()) {
			return this.reservations.reject(order.orderId(), "order has no items", eventId, this.clock.instant());
		}
		// Lines of the same sku are summed: the script checks each sku once, against the total.
		Map<String, Long> quantities = new LinkedHashMap<>();
		for (OrderPlaced.Item item : items) {
			if (item == null || item.sku() == null || item.sku().isBlank()) {
				return this.reservations.reject(order.orderId(), "order has an item without sku", eventId,
						this.clock.instant());
			}
			if (item.quantity() < 1) {
				return this.reservations.reject(order.orderId(),
						"invalid quantity for sku " + item.sku() + ": " + item.quantity(), eventId, this.clock.instant());
			}
			quantities.merge(item.sku(), (long) item.quantity(), Long::sum);
		}
		return this.reservations.reserve(order.orderId(), quantities, eventId, this.clock.instant());
	}

	private void log(OrderPlaced order, Reservation reservation) {
		if (reservation.replayed()) {
			logger.info("Order {} was answered before ({}), sending the same event {} again", order.orderId(),
					reservation.reserved() ? StockEvent.RESERVED : StockEvent.REJECTED, reservation.eventId());
		}
		else if (reservation.reserved()) {
			logger.info("Reserved the stock of order {} (event {})", order.orderId(), reservation.eventId());
		}
		else {
			logger.info("Rejected order {}: {} (event {})", order.orderId(), reservation.reason(),
					reservation.eventId());
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Order {} items: {}", order.orderId(), order.items());
		}
	}

	private static void putOrRemove(String key, String value) {
		if (value != null) {
			MDC.put(key, value);
		}
		else {
			MDC.remove(key);
		}
	}

}
