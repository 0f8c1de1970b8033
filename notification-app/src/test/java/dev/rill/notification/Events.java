package dev.rill.notification;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;

/**
 * order-status events as order-app writes them: a JSON payload and the contract's headers.
 */
public final class Events {

	private Events() {
	}

	public static String confirmedJson(UUID eventId, String orderId) {
		return """
				{"eventId":"%s","orderId":"%s","customerId":"c-7","email":"ann@example.com",\
				"occurredAt":"2024-05-01T10:00:00Z"}""".formatted(eventId, orderId);
	}

	public static String rejectedJson(UUID eventId, String orderId, String reason) {
		return """
				{"eventId":"%s","orderId":"%s","customerId":"c-7","email":"ann@example.com",\
				"occurredAt":"2024-05-01T10:00:00Z","reason":"%s"}""".formatted(eventId, orderId, reason);
	}

	public static Message<byte[]> message(String json, String eventType, Object eventVersion, String correlationId,
			String orderId) {
		return MessageBuilder.withPayload(json.getBytes(StandardCharsets.UTF_8))
			.setHeader(MessageHeaders.CONTENT_TYPE, "application/json")
			.setHeader("eventType", eventType)
			.setHeader("eventVersion", eventVersion)
			.setHeader("correlationId", correlationId)
			.setHeader("orderId", orderId)
			.build();
	}

	public static Message<byte[]> confirmed(String orderId, String correlationId) {
		return message(confirmedJson(UUID.randomUUID(), orderId), "OrderConfirmed", 1, correlationId, orderId);
	}

}
