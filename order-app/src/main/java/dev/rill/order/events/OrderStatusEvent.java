package dev.rill.order.events;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The outcome of an order, on destination {@code order-status}: {@value #CONFIRMED} or
 * {@value #REJECTED} (with a {@code reason}), named by the {@code eventType} header. Read by
 * notification-app, which needs whom to tell ({@code customerId}, {@code email}).
 *
 * @param eventId unique id of this event, the same every time the same outcome is announced
 * @param orderId the order
 * @param customerId who ordered
 * @param email where to tell the customer
 * @param occurredAt when the order reached this status
 * @param reason why the order was rejected; absent for {@value #CONFIRMED}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OrderStatusEvent(String eventId, String orderId, String customerId, String email, Instant occurredAt,
		@JsonInclude(JsonInclude.Include.NON_NULL) String reason) {

	/** The {@code eventType} of a confirmed order. */
	public static final String CONFIRMED = "OrderConfirmed";

	/** The {@code eventType} of a rejected order. */
	public static final String REJECTED = "OrderRejected";

}
