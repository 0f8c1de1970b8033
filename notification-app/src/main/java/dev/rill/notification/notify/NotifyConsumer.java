package dev.rill.notification.notify;

import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.slf4j.MDC;

import dev.rill.notification.events.EventHeaders;
import dev.rill.notification.events.OrderStatus;
import dev.rill.notification.events.OrderStatusEvent;

import org.springframework.messaging.Message;

/**
 * The {@code notify} function: one {@code OrderConfirmed} / {@code OrderRejected} event
 * from {@code order-status} in, one notification out (once per order and status).
 * <p>
 * Puts {@code correlationId} and {@code orderId} into the MDC for the call. An event this
 * service cannot read (unknown {@code eventType} or {@code eventVersion}, invalid payload)
 * is refused with an {@link IllegalArgumentException}, which the binder dead-letters
 * without retrying.
 */
public class NotifyConsumer implements Consumer<Message<OrderStatusEvent>> {

	private final Notifier notifier;

	private final Validator validator;

	public NotifyConsumer(Notifier notifier, Validator validator) {
		this.notifier = notifier;
		this.validator = validator;
	}

	@Override
	public void accept(Message<OrderStatusEvent> message) {
		// A payload Spring Cloud Stream could not convert (malformed JSON) is handed over
		// unconverted, as the raw bytes: check before using it as an event.
		Object payload = message.getPayload();
		OrderStatusEvent event = (payload instanceof OrderStatusEvent readable) ? readable : null;
		String orderId = (event != null && event.orderId() != null) ? event.orderId()
				: EventHeaders.text(message.getHeaders(), EventHeaders.ORDER_ID);
		putMdc(EventHeaders.CORRELATION_ID, EventHeaders.text(message.getHeaders(), EventHeaders.CORRELATION_ID));
		putMdc(EventHeaders.ORDER_ID, orderId);
		try {
			OrderStatus status = EventHeaders.statusOf(message.getHeaders());
			if (event == null) {
				throw new IllegalArgumentException("Unreadable order-status payload ("
						+ payload.getClass().getSimpleName() + "), expected an OrderStatusEvent as JSON");
			}
			validate(event);
			this.notifier.notifyCustomer(Notice.of(event, status));
		}
		finally {
			MDC.remove(EventHeaders.CORRELATION_ID);
			MDC.remove(EventHeaders.ORDER_ID);
		}
	}

	private void validate(OrderStatusEvent event) {
		Set<ConstraintViolation<OrderStatusEvent>> violations = this.validator.validate(event);
		if (!violations.isEmpty()) {
			throw new IllegalArgumentException("Invalid order-status event: " + violations.stream()
				.map(violation -> violation.getPropertyPath() + " " + violation.getMessage())
				.sorted()
				.collect(Collectors.joining(", ")));
		}
	}

	private static void putMdc(String key, String value) {
		if (value != null) {
			MDC.put(key, value);
		}
	}

}
