package dev.rill.order.placement;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import dev.rill.order.events.EventHeaders;
import dev.rill.order.events.OrderPlaced;
import dev.rill.order.store.OrderRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.stereotype.Component;

/**
 * Sends an order's {@code OrderPlaced} (synchronously: the shared configuration makes producers
 * wait for the transport's confirmation) and tells what became of it.
 * <p>
 * The event is a function of the order alone (its id is derived from the order id, its time is
 * the order's placement time), so sending it again after a send whose outcome is unknown
 * writes the same event: a consumer that already has it absorbs the copy (each consumer is
 * idempotent per order), and one that never got it gets it.
 */
@Component
public class OrderPlacedSender {

	/** The output binding of {@code OrderPlaced} (destination {@code orders}). */
	public static final String BINDING = "placeOrder-out-0";

	private static final Logger log = LoggerFactory.getLogger(OrderPlacedSender.class);

	private final StreamBridge streamBridge;

	/**
	 * @param streamBridge sends to the output binding
	 */
	public OrderPlacedSender(StreamBridge streamBridge) {
		this.streamBridge = streamBridge;
	}

	/**
	 * @param order the order, as the read model holds it while it is PLACED
	 * @param correlationId the correlation id to send along
	 * @return what became of the event
	 */
	public Outcome send(OrderRecord order, String correlationId) {
		OrderPlaced event = new OrderPlaced(eventIdOf(order.orderId()), order.orderId(), order.customerId(),
				order.email(), order.items(), order.updatedAt());
		Message<OrderPlaced> message = MessageBuilder.withPayload(event)
			.setHeader(EventHeaders.EVENT_TYPE, OrderPlaced.TYPE)
			.setHeader(EventHeaders.EVENT_VERSION, EventHeaders.CURRENT_VERSION)
			.setHeader(EventHeaders.CORRELATION_ID, correlationId)
			.setHeader(EventHeaders.ORDER_ID, order.orderId())
			.build();
		try {
			if (this.streamBridge.send(BINDING, message)) {
				return Outcome.SENT;
			}
			log.warn("OrderPlaced of order {} was not sent (the binding refused it)", order.orderId());
			return Outcome.NOT_SENT;
		}
		catch (RuntimeException ex) {
			Outcome outcome = timedOut(ex) ? Outcome.UNKNOWN : Outcome.NOT_SENT;
			log.warn("OrderPlaced of order {} was not confirmed ({}): {}", order.orderId(),
					(outcome == Outcome.UNKNOWN) ? "timed out, it may still be written" : "failed", ex.getMessage());
			return outcome;
		}
	}

	/**
	 * @param orderId an order
	 * @return the id of its {@code OrderPlaced}: a name-based UUID, the same for every send of it
	 */
	static String eventIdOf(String orderId) {
		return UUID.nameUUIDFromBytes(("rill:order-placed:" + orderId).getBytes(StandardCharsets.UTF_8)).toString();
	}

	/**
	 * A send that timed out was handed to the transport but not confirmed in time: the command
	 * may already be on its way (a Redis that was frozen, or slow, executes it when it resumes).
	 * The transports name a timeout by type: {@link java.util.concurrent.TimeoutException} under
	 * the Redis binder's send-timeout, Lettuce's {@code RedisCommandTimeoutException}, Kafka's
	 * {@code TimeoutException}.
	 */
	private static boolean timedOut(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof java.util.concurrent.TimeoutException
					|| cause.getClass().getSimpleName().endsWith("TimeoutException")) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	/** What became of a send. */
	public enum Outcome {

		/** The transport confirmed it: the event is written. */
		SENT,

		/** It failed before it could be written: nothing was sent. */
		NOT_SENT,

		/** It timed out: it may or may not have been written, now or later. */
		UNKNOWN

	}

}
