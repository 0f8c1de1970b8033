package dev.rill.order.placement;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import dev.rill.order.events.EventHeaders;
import dev.rill.order.events.OrderPlaced;
import dev.rill.order.logging.OrderLogContext;
import dev.rill.order.store.IdempotencyKeys;
import dev.rill.order.store.IdempotencyKeys.Reservation;
import dev.rill.order.store.OrderReadModel;
import dev.rill.order.store.OrderRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.lang.Nullable;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.stereotype.Component;

/**
 * Places an order: the start of the saga. The order is written to the read model first, so
 * that inventory's answer, however fast, finds it; then {@code OrderPlaced} is sent, and the
 * order exists only once the transport confirmed that send (the shared configuration makes
 * producers synchronous). A failed send removes the record again and frees the idempotency
 * key: the client never gets a 202 for an order that was not announced.
 */
@Component
public class OrderPlacement {

	/** The output binding of {@code OrderPlaced} (destination {@code orders}). */
	public static final String BINDING = "placeOrder-out-0";

	private static final Logger log = LoggerFactory.getLogger(OrderPlacement.class);

	private final OrderReadModel readModel;

	private final IdempotencyKeys idempotencyKeys;

	private final StreamBridge streamBridge;

	private final Clock clock;

	/**
	 * @param readModel where the order is recorded
	 * @param idempotencyKeys the clients' idempotency keys
	 * @param streamBridge sends {@code OrderPlaced}
	 * @param clock the time of placement
	 */
	public OrderPlacement(OrderReadModel readModel, IdempotencyKeys idempotencyKeys, StreamBridge streamBridge,
			Clock clock) {
		this.readModel = readModel;
		this.idempotencyKeys = idempotencyKeys;
		this.streamBridge = streamBridge;
		this.clock = clock;
	}

	/**
	 * @param order the validated order
	 * @param idempotencyKey the client's {@code Idempotency-Key}, or null
	 * @param correlationId the request's correlation id
	 * @return the placed order, or the one placed before with the same key
	 * @throws OrderNotPlacedException when the event was not confirmed (nothing was placed)
	 * @throws PlacementInFlightException when another request with the key is in flight
	 */
	public PlacedOrder place(NewOrder order, @Nullable String idempotencyKey, String correlationId) {
		String orderId = UUID.randomUUID().toString();
		if (idempotencyKey != null) {
			Reservation reservation = this.idempotencyKeys.reserve(idempotencyKey, orderId);
			switch (reservation.state()) {
				case PLACED -> {
					try (OrderLogContext context = OrderLogContext.open(correlationId, reservation.orderId())) {
						log.info("Idempotency-Key already placed order {}; returning it", reservation.orderId());
					}
					return new PlacedOrder(reservation.orderId(), true);
				}
				case IN_FLIGHT -> throw new PlacementInFlightException(reservation.orderId());
				case RESERVED -> {
				}
			}
		}
		try (OrderLogContext context = OrderLogContext.open(correlationId, orderId)) {
			Instant now = this.clock.instant();
			try {
				this.readModel.createIfAbsent(
						OrderRecord.placed(orderId, order.customerId(), order.email(), order.items(), now));
			}
			catch (RuntimeException ex) {
				// Nothing was sent: only the key needs freeing (if Redis lets us).
				undo(orderId, idempotencyKey);
				throw ex;
			}
			send(orderId, order, correlationId, now, idempotencyKey);
			log.info("Order {} placed with {} item line(s)", orderId, order.items().size());
			if (idempotencyKey != null) {
				completeKey(idempotencyKey, orderId);
			}
			return new PlacedOrder(orderId, false);
		}
	}

	/** The order exists from here on, whatever happens to its key: a failure here is only logged. */
	private void completeKey(String idempotencyKey, String orderId) {
		try {
			if (!this.idempotencyKeys.complete(idempotencyKey, orderId)) {
				log.warn("The Idempotency-Key reservation of order {} expired before its event was confirmed; "
						+ "a retry with the key may place the order again (raise rill.order.idempotency-pending-ttl)",
						orderId);
			}
		}
		catch (RuntimeException ex) {
			log.warn("Could not record the Idempotency-Key of placed order {}; a retry with the key after "
					+ "rill.order.idempotency-pending-ttl may place the order again", orderId, ex);
		}
	}

	private void send(String orderId, NewOrder order, String correlationId, Instant now,
			@Nullable String idempotencyKey) {
		OrderPlaced event = new OrderPlaced(UUID.randomUUID().toString(), orderId, order.customerId(), order.email(),
				order.items(), now);
		Message<OrderPlaced> message = MessageBuilder.withPayload(event)
			.setHeader(EventHeaders.EVENT_TYPE, OrderPlaced.TYPE)
			.setHeader(EventHeaders.EVENT_VERSION, EventHeaders.CURRENT_VERSION)
			.setHeader(EventHeaders.CORRELATION_ID, correlationId)
			.setHeader(EventHeaders.ORDER_ID, orderId)
			.build();
		RuntimeException failure = null;
		boolean sent = false;
		try {
			sent = this.streamBridge.send(BINDING, message);
		}
		catch (RuntimeException ex) {
			failure = ex;
		}
		if (!sent) {
			log.warn("Order {} not placed: OrderPlaced was not confirmed ({})", orderId,
					(failure != null) ? failure.getMessage() : "send returned false");
			undo(orderId, idempotencyKey);
			throw new OrderNotPlacedException(orderId, failure);
		}
	}

	/** Forget the order whose event failed, so that neither GET nor the key ever return it. */
	private void undo(String orderId, @Nullable String idempotencyKey) {
		try {
			this.readModel.deleteIfPlaced(orderId);
		}
		catch (RuntimeException ex) {
			log.error("Could not remove the record of unplaced order {}; it stays PLACED without an event",
					orderId, ex);
		}
		if (idempotencyKey != null) {
			try {
				this.idempotencyKeys.release(idempotencyKey, orderId);
			}
			catch (RuntimeException ex) {
				log.error("Could not free the Idempotency-Key of unplaced order {}; it frees itself after "
						+ "rill.order.idempotency-pending-ttl", orderId, ex);
			}
		}
	}

}
