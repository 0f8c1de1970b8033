package dev.rill.notification.channel;

import java.net.URI;
import java.time.Instant;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import dev.rill.notification.events.EventHeaders;
import dev.rill.notification.events.OrderStatus;
import dev.rill.notification.notify.Notice;

import org.springframework.http.MediaType;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;

/**
 * Tells the customer through a webhook: {@code POST} of a JSON body to the configured URL.
 * <p>
 * Every request carries {@code Idempotency-Key: <orderId>:<status>}, so a receiver can
 * drop the rare duplicate that at-least-once delivery allows, and {@code X-Correlation-Id}.
 * An answer of 400 or 422 means the receiver refused this notice for good
 * ({@link NotificationRejectedException}); anything else that is not 2xx, and I/O errors,
 * count as an outage.
 */
public class WebhookChannel implements NotificationChannel {

	private static final Logger logger = LoggerFactory.getLogger(WebhookChannel.class);

	/** Statuses that say "this request is wrong" rather than "I am not well". */
	private static final Set<Integer> REFUSALS = Set.of(400, 422);

	private final RestClient client;

	private final URI url;

	/**
	 * @param client the client to post with (timeouts configured)
	 * @param url where to post
	 */
	public WebhookChannel(RestClient client, URI url) {
		this.client = client;
		this.url = url;
	}

	@Override
	public String name() {
		return "webhook";
	}

	@Override
	public void send(Notice notice) {
		String correlationId = MDC.get(EventHeaders.CORRELATION_ID);
		try {
			this.client.post()
				.uri(this.url)
				.contentType(MediaType.APPLICATION_JSON)
				.header("Idempotency-Key", notice.orderId() + ":" + notice.status())
				.headers(headers -> {
					if (correlationId != null) {
						headers.set("X-Correlation-Id", correlationId);
					}
				})
				.body(Body.of(notice))
				.retrieve()
				.toBodilessEntity();
		}
		catch (HttpClientErrorException ex) {
			if (REFUSALS.contains(ex.getStatusCode().value())) {
				throw new NotificationRejectedException("Webhook refused the notice for order " + notice.orderId()
						+ " with " + ex.getStatusCode().value(), ex);
			}
			throw ex;
		}
		logger.info("Notified {} that order {} is {} (webhook)", notice.email(), notice.orderId(), notice.status());
	}

	/**
	 * The webhook's JSON body.
	 *
	 * @param orderId the order
	 * @param status {@code CONFIRMED} or {@code REJECTED}
	 * @param reason why it was rejected (absent otherwise)
	 * @param customerId the customer
	 * @param email the customer's address
	 * @param occurredAt when the status was decided, ISO-8601 (written here rather than left
	 * to the ObjectMapper's date settings, so the wire format cannot change by configuration)
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Body(String orderId, OrderStatus status, String reason, String customerId, String email,
			String occurredAt) {

		static Body of(Notice notice) {
			Instant occurredAt = notice.occurredAt();
			return new Body(notice.orderId(), notice.status(), notice.reason(), notice.customerId(), notice.email(),
					(occurredAt != null) ? occurredAt.toString() : null);
		}

	}

}
