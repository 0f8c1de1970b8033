package dev.rill.notification.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/**
 * Payload of {@code OrderConfirmed} and {@code OrderRejected} on the {@code order-status}
 * destination (written by order-app). A tolerant reader: fields added by a later
 * {@code eventVersion} are ignored. Which of the two events it is, is said by the
 * {@code eventType} header, not by the payload.
 *
 * @param eventId unique id of the event
 * @param orderId the order the event is about
 * @param customerId the customer who placed the order
 * @param email where the customer wants to be told
 * @param occurredAt when order-app decided the order's status
 * @param reason why the order was rejected; {@code null} for {@code OrderConfirmed}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OrderStatusEvent(
		@NotNull UUID eventId,
		@NotBlank String orderId,
		String customerId,
		@NotBlank @Email String email,
		Instant occurredAt,
		String reason) {
}
