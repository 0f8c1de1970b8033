package dev.rill.e2e.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A client of the three services' HTTP APIs (DESIGN.md, "HTTP interfaces of the apps"), as a
 * customer or an operator would call them. Thread-safe.
 */
public final class RillClient {

	private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

	private static final ObjectMapper JSON = new ObjectMapper()
		.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(2))
		.build();

	private final URI order;

	private final URI inventory;

	private final URI notification;

	private final Duration timeout;

	/**
	 * @param order order-app's base URI
	 * @param inventory inventory-app's base URI
	 * @param notification notification-app's base URI
	 */
	public RillClient(URI order, URI inventory, URI notification) {
		this(order, inventory, notification, DEFAULT_TIMEOUT);
	}

	private RillClient(URI order, URI inventory, URI notification, Duration timeout) {
		this.order = order;
		this.inventory = inventory;
		this.notification = notification;
		this.timeout = timeout;
	}

	/**
	 * @param timeout how long each request may take before it fails with
	 * {@link java.net.http.HttpTimeoutException} (10 s by default)
	 * @return a client of the same services with that timeout
	 */
	public RillClient withTimeout(Duration timeout) {
		return new RillClient(this.order, this.inventory, this.notification, timeout);
	}

	/**
	 * {@code PUT /stock/{sku}}.
	 * @param sku the sku
	 * @param available how many are available
	 * @return the stock level after the change
	 */
	public StockLevel setStock(String sku, long available) {
		Response response = send(HttpRequest.newBuilder(this.inventory.resolve("/stock/" + encode(sku)))
			.header("Content-Type", "application/json")
			.PUT(HttpRequest.BodyPublishers.ofString(write(Map.of("available", available)))));
		return response.expect(200).as(StockLevel.class);
	}

	/**
	 * {@code GET /stock/{sku}}.
	 * @param sku the sku
	 * @return its stock level, empty when it has no stock record (404)
	 */
	public Optional<StockLevel> stock(String sku) {
		Response response = send(HttpRequest.newBuilder(this.inventory.resolve("/stock/" + encode(sku))).GET());
		return (response.status() == 404) ? Optional.empty() : Optional.of(response.expect(200).as(StockLevel.class));
	}

	/**
	 * {@code POST /orders}.
	 * @param order the order
	 * @param idempotencyKey the {@code Idempotency-Key} header, or null
	 * @param correlationId the {@code X-Correlation-Id} header, or null
	 * @return the answer, whatever its status (202, 400, 503...)
	 */
	public Placement placeOrder(OrderRequest order, String idempotencyKey, String correlationId) {
		HttpRequest.Builder request = HttpRequest.newBuilder(this.order.resolve("/orders"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(write(order)));
		if (idempotencyKey != null) {
			request.header("Idempotency-Key", idempotencyKey);
		}
		if (correlationId != null) {
			request.header("X-Correlation-Id", correlationId);
		}
		Response response = send(request);
		String orderId = null;
		if (response.status() == 202) {
			orderId = response.json().path("orderId").asText(null);
		}
		return new Placement(response.status(), orderId, response.body());
	}

	/**
	 * {@code GET /orders/{id}}.
	 * @param orderId the order
	 * @return the order, empty for 404
	 */
	public Optional<OrderView> order(String orderId) {
		Response response = send(HttpRequest.newBuilder(this.order.resolve("/orders/" + encode(orderId))).GET());
		return (response.status() == 404) ? Optional.empty() : Optional.of(response.expect(200).as(OrderView.class));
	}

	/**
	 * {@code GET /notifications?orderId=}.
	 * @param orderId the order
	 * @return the notifications sent for it, oldest first
	 */
	public List<Notification> notifications(String orderId) {
		Response response = send(
				HttpRequest.newBuilder(this.notification.resolve("/notifications?orderId=" + encode(orderId))).GET());
		return response.expect(200).as(new TypeReference<List<Notification>>() {
		});
	}

	private Response send(HttpRequest.Builder request) {
		try {
			HttpResponse<String> response = this.http.send(request.timeout(this.timeout).build(),
					HttpResponse.BodyHandlers.ofString());
			return new Response(response.request().method() + " " + response.uri(), response.statusCode(),
					response.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

	private static String encode(String text) {
		return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
	}

	private static String write(Object value) {
		try {
			return JSON.writeValueAsString(value);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalArgumentException(ex);
		}
	}

	/**
	 * The body of {@code POST /orders}.
	 * @param customerId who orders
	 * @param email where the customer is told
	 * @param items what is ordered
	 */
	public record OrderRequest(String customerId, String email, List<Item> items) {
	}

	/**
	 * One line of an order.
	 * @param sku the article
	 * @param quantity how many
	 */
	public record Item(String sku, int quantity) {
	}

	/**
	 * The answer to {@code POST /orders}.
	 * @param status the HTTP status
	 * @param orderId the order's id when it was accepted (202)
	 * @param body the body as sent
	 */
	public record Placement(int status, String orderId, String body) {

		/**
		 * @return whether the order was placed (202)
		 */
		public boolean accepted() {
			return this.status == 202 && this.orderId != null;
		}

	}

	/**
	 * An order as {@code GET /orders/{id}} shows it.
	 * @param orderId the order
	 * @param status {@code PLACED}, {@code CONFIRMED} or {@code REJECTED}
	 * @param reason why it was rejected
	 * @param items what was ordered
	 */
	public record OrderView(String orderId, String status, String reason, List<Item> items) {

		/**
		 * @return whether the saga is over for it (CONFIRMED or REJECTED)
		 */
		public boolean decided() {
			return "CONFIRMED".equals(this.status) || "REJECTED".equals(this.status);
		}

	}

	/**
	 * A notification as {@code GET /notifications} lists it.
	 * @param orderId the order
	 * @param status the status the customer was told
	 * @param reason the reason of a rejection
	 * @param email who was told
	 * @param channel which channel carried it
	 */
	public record Notification(String orderId, String status, String reason, String email, String channel) {
	}

	/**
	 * A stock level.
	 * @param sku the sku
	 * @param available what can still be reserved
	 * @param reserved what is reserved
	 */
	public record StockLevel(String sku, long available, long reserved) {
	}

	private record Response(String call, int status, String body) {

		Response expect(int expected) {
			if (this.status != expected) {
				throw new IllegalStateException(this.call + " answered " + this.status + ": " + this.body);
			}
			return this;
		}

		JsonNode json() {
			try {
				return JSON.readTree(this.body);
			}
			catch (JsonProcessingException ex) {
				throw new IllegalStateException(this.call + " answered no JSON: " + this.body, ex);
			}
		}

		<T> T as(Class<T> type) {
			try {
				return JSON.readValue(this.body, type);
			}
			catch (JsonProcessingException ex) {
				throw new IllegalStateException(this.call + ": unexpected answer " + this.body, ex);
			}
		}

		<T> T as(TypeReference<T> type) {
			try {
				return JSON.readValue(this.body, type);
			}
			catch (JsonProcessingException ex) {
				throw new IllegalStateException(this.call + ": unexpected answer " + this.body, ex);
			}
		}

	}

}
