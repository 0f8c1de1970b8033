package dev.rill.order.placement;

import java.time.Clock;
import java.util.UUID;

import dev.rill.order.logging.OrderLogContext;
import dev.rill.order.placement.OrderPlacedSender.Outcome;
import dev.rill.order.store.IdempotencyKeys;
import dev.rill.order.store.IdempotencyKeys.Reservation;
import dev.rill.order.store.OrderReadModel;
import dev.rill.order.store.OrderRecord;
import dev.rill.order.store.OrderStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.lang.Nullable;
import org.springframework.stereotype.Component;

/**
 * Places an order: the start of the saga. The order is written to the read model first, so
 * that inventory's answer, however fast, finds it; then {@code OrderPlaced} is sent, and the
 * client gets a 202 only once the transport confirmed that send (the shared configuration makes
 * producers synchronous).
 * <p>
 * A send that failed before anything was written removes the record again and frees the
 * idempotency key: nothing was placed. A send that timed out may still be written, so nothing
 * is undone: the record stays (a written event is processed like any other, and GET shows it)
 * and the key stays bound to the order with its outcome unknown; a retry with the key sends the
 * same event again (consumers absorb the copy) and answers with the same order once that send is
 * confirmed. One key never places two orders, and no 202 is given for an unwritten order.
 */
@Component
public class OrderPlacement {

	private static final Logger log = LoggerFactory.getLogger(OrderPlacement.class);

	private final OrderReadModel readModel;

	private final IdempotencyKeys idempotencyKeys;

	private final OrderPlacedSender sender;

	private final Clock clock;

	/**
	 * @param readModel where the order is recorded
	 * @param idempotencyKeys the clients' idempotency keys
	 * @param sender sends {@code OrderPlaced}
	 * @param clock the time of placement
	 */
	public OrderPlacement(OrderReadModel readModel, IdempotencyKeys idempotencyKeys, OrderPlacedSender sender,
			Clock clock) {
		this.readModel = readModel;
		this.idempotencyKeys = idempotencyKeys;
		this.sender = sender;
		this.clock = clock;
	}

	/**
	 * @param order the validated order
	 * @param idempotencyKey the client's {@code Idempotency-Key}, or null
	 * @param correlationId the request's correlation id
	 * @return the placed order, or the one placed before with the same key
	 * @throws OrderNotPlacedException when the event could not be sent (nothing was placed)
	 * @throws OrderOutcomeUnknownException when the send timed out (the order may be placed)
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
				case UNKNOWN -> {
					return finishUnknown(reservation.orderId(), idempotencyKey, correlationId);
				}
				case RESERVED -> {
				}
			}
		}
		try (OrderLogContext context = OrderLogContext.open(correlationId, orderId)) {
			OrderRecord record = OrderRecord.placed(orderId, order.customerId(), order.email(), order.items(),
					this.clock.instant());
			try {
				this.readModel.createIfAbsent(record);
			}
			catch (RuntimeException ex) {
				// Nothing was sent: only the key needs freeing (if Redis lets us).
				undo(orderId, idempotencyKey);
				throw ex;
			}
			Outcome outcome = this.sender.send(record, correlationId);
			if (outcome == Outcome.NOT_SENT) {
				log.warn("Order {} not placed: OrderPlaced could not be sent", orderId);
				undo(orderId, idempotencyKey);
				throw new OrderNotPlacedException(orderId, null);
			}
			if (outcome == Outcome.UNKNOWN) {
				keepUnknown(orderId, idempotencyKey);
				throw new OrderOutcomeUnknownException(orderId, idempotencyKey != null);
			}
			log.info("Order {} placed with {} item line(s)", orderId, order.items().size());
			if (idempotencyKey != null) {
				completeKey(idempotencyKey, orderId);
			}
			return new PlacedOrder(orderId, false);
		}
	}

	/**
	 * A retry with the key of an order whose send timed out: the order is finished, never
	 * replaced. A decided order was written (inventory answered it); a PLACED one gets the same
	 * event again, which consumers absorb if the first send was written after all.
	 */
	private PlacedOrder finishUnknown(String orderId, String idempotencyKey, String correlationId) {
		try (OrderLogContext context = OrderLogContext.open(correlationId, orderId)) {
			OrderRecord record = this.readModel.find(orderId).orElse(null);
			if (record == null) {
				log.error("Order {} of an Idempotency-Key with an unknown outcome is not in the read model", orderId);
				throw new OrderOutcomeUnknownException(orderId, true);
			}
			if (record.status() == OrderStatus.PLACED) {
				if (this.sender.send(record, correlationId) != Outcome.SENT) {
					throw new OrderOutcomeUnknownException(orderId, true);
				}
				log.info("Order {} placed: its OrderPlaced, unconfirmed before, was sent again and confirmed", orderId);
			}
			else {
				log.info("Order {} is {}: its OrderPlaced, unconfirmed before, was written", orderId, record.status());
			}
			completeKey(idempotencyKey, orderId);
			return new PlacedOrder(orderId, true);
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

	/** The send timed out: keep the record (the event may be written) and bind the key to the order. */
	private void keepUnknown(String orderId, @Nullable String idempotencyKey) {
		log.warn("Order {}: OrderPlaced not confirmed in time, it may still be written; the order is kept{}", orderId,
				(idempotencyKey != null) ? " and a retry with its Idempotency-Key finishes it" : "");
		if (idempotencyKey == null) {
			return;
		}
		try {
			if (!this.idempotencyKeys.markUnknown(idempotencyKey, orderId)) {
				log.error("The Idempotency-Key reservation of order {} expired during its send; a retry with the key "
						+ "may place a second order (raise rill.order.idempotency-pending-ttl)", orderId);
			}
		}
		catch (RuntimeException ex) {
			log.error("Could not bind the Idempotency-Key to order {}, whose outcome is unknown; a retry with the "
					+ "key after rill.order.idempotency-pending-ttl may place a second order", orderId, ex);
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
