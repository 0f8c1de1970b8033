package dev.rill.notification.notify;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import dev.rill.notification.events.OrderStatus;

/**
 * A notification the outbound channel accepted: stored in Redis and listed by
 * {@code GET /notifications?orderId=}.
 *
 * @param orderId the order
 * @param status the status the customer was told
 * @param reason why the order was rejected; absent for confirmations
 * @param email who was told
 * @param channel which channel accepted it ({@code log}, {@code webhook}, {@code mail})
 * @param sentAt when the channel accepted it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SentNotification(String orderId, OrderStatus status, String reason, String email, String channel,
		Instant sentAt) {
}
