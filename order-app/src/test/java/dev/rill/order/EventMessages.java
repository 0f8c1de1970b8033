package dev.rill.order;

import java.nio.charset.StandardCharsets;

import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;

/**
 * Messages as another service would put them on a stream: a JSON payload (written by hand, as
 * a foreign service's serializer would) and the Rill headers.
 */
public final class EventMessages {

	private EventMessages() {
	}

	public static Message<byte[]> event(String json, String eventType, Object eventVersion, String correlationId) {
		MessageBuilder<byte[]> builder = MessageBuilder.withPayload(json.getBytes(StandardCharsets.UTF_8))
			.setHeader("contentType", "application/json")
			.setHeader("eventType", eventType)
			.setHeader("eventVersion", eventVersion);
		if (correlationId != null) {
			builder.setHeader("correlationId", correlationId);
		}
		return builder.build();
	}

	public static Message<byte[]> stockReserved(String eventId, String orderId, String correlationId) {
		return event("""
				{"eventId":"%s","orderId":"%s","occurredAt":"2024-05-01T10:00:00Z"}
				""".formatted(eventId, orderId), "StockReserved", "1", correlationId);
	}

	public static Message<byte[]> stockRejected(String eventId, String orderId, String reason, String correlationId) {
		return event("""
				{"eventId":"%s","orderId":"%s","occurredAt":"2024-05-01T10:00:00Z","reason":"%s"}
				""".formatted(eventId, orderId, reason), "StockRejected", "1", correlationId);
	}

	public static Message<byte[]> orderPlaced(String orderId, String customerId, String occurredAt, String correlationId) {
		return event("""
				{"eventId":"%s","orderId":"%s","customerId":"%s","email":"%s@example.com",
				 "items":[{"sku":"apple","quantity":3}],"occurredAt":"%s"}
				""".formatted("e-" + orderId, orderId, customerId, customerId, occurredAt), "OrderPlaced", "1",
				correlationId);
	}

}
