package dev.rill.e2e.faults;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rill.e2e.faults.Redis.Entry;
import dev.rill.e2e.platform.ServiceProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bad input at the HTTP edge, {@code POST /orders} on order-app: malformed JSON, other JSON
 * than an order, missing and invalid fields (negative, fractional, huge quantities...), unknown
 * content types and methods, a body of 10 MB, and type tricks ({@code @class}, Jackson's
 * wrapper-array typing). Every such request is answered 4xx as {@code application/problem+json},
 * no event is published ({@code XLEN orders} unchanged), and order-app goes on serving (same
 * process, healthy, then a load of valid orders flows through the saga).
 * <p>
 * {@code @class} next to a valid order is not an error: it is ignored (the request record has no
 * type information), so the order is placed, and its {@code OrderPlaced} event holds only the
 * fields of the contract.
 * <p>
 * A body over order-app's {@code rill.order.max-request-size} (128 KB by default) is answered
 * 413 without being read whole: one of 10 MB, a valid-looking order of 1,000,000 item lines
 * (28 MB, which exhausted the 256 MB heap before the limit existed), each sent with a
 * {@code Content-Length} and chunked. A JSON order followed by more content ({@code {...} xyz},
 * two orders in one body) is a 400, not an order.
 */
@ExtendWith(FaultPlatform.class)
class BadInputTests {

	private static final HttpClient HTTP = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(2))
		.build();

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final String ITEM = "{\"sku\":\"edge-kiwi\",\"quantity\":1}";

	private static final String VALID = "{\"customerId\":\"c-1\",\"email\":\"ada@example.com\",\"items\":[" + ITEM + "]}";

	@Test
	void badRequestsAreRefusedPublishNothingAndTheServiceKeepsServing(FaultPlatform faults) {
		ServiceProcess order = faults.platform().order();
		long pid = order.pid();
		FaultOracle oracle = FaultOracle.begin(faults, "bad input at the edge");
		Redis redis = faults.redis();
		URI orders = order.uri("/orders");

		long before = redis.length("orders");
		List<String> wrong = new ArrayList<>();
		Map<Integer, Long> statuses = new TreeMap<>();
		List<Call> calls = badCalls();
		for (Call call : calls) {
			Answer answer = send(orders, call);
			statuses.merge(answer.status(), 1L, Long::sum);
			if (answer.status() != call.expected() || !answer.contentType().startsWith("application/problem+json")) {
				wrong.add(call.name() + ": expected " + call.expected() + ", got " + answer);
			}
		}
		long published = redis.length("orders") - before;
		assertThat(wrong).as("bad requests answered otherwise than expected").isEmpty();
		assertThat(published).as("events published for bad requests (XLEN orders)").isZero();

		// @class is ignored: a valid order with it is placed, as the contract's fields only.
		String lastId = redis.lastId("orders");
		List<String> tricked = new ArrayList<>();
		for (String body : List.of(VALID.replace("{\"customerId\"",
				"{\"@class\":\"org.springframework.context.support.ClassPathXmlApplicationContext\",\"customerId\""),
				VALID.replace("{\"sku\"", "{\"@class\":\"java.lang.ProcessBuilder\",\"sku\""))) {
			Answer answer = send(orders, new Call("@class with a valid order", "POST", "application/json", body, 202));
			assertThat(answer.status()).as("%s", answer).isEqualTo(202);
			tricked.add(json(answer.body()).path("orderId").asText());
		}
		List<Entry> events = redis.entriesAfter("orders", lastId);
		assertThat(events).extracting(entry -> json(entry.field("payload")).path("orderId").asText())
			.containsExactlyInAnyOrderElementsOf(tricked);
		for (Entry event : events) {
			JsonNode payload = json(event.field("payload"));
			assertThat(payload.fieldNames()).toIterable()
				.containsExactlyInAnyOrder("eventId", "orderId", "customerId", "email", "items", "occurredAt");
			assertThat(payload.path("items").get(0).fieldNames()).toIterable().containsExactlyInAnyOrder("sku", "quantity");
			assertThat(event.fields().keySet()).doesNotContain("@class");
		}
		await("the orders placed with @class decided").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> tricked.stream().allMatch(id -> faults.client().order(id).map(o -> o.decided()).orElse(false)));

		assertThat(order.pid()).as("order-app process").isEqualTo(pid);
		assertThat(order.isHealthy()).as("order-app healthy: %s", order.health()).isTrue();
		String run = "edge-" + ThreadLocalRandom.current().nextInt(1000, 10000);
		try (OrderLoad load = new OrderLoad(run, faults.client(), 2, 50, 100).start()) {
			load.awaitDone(Duration.ofSeconds(60));
			oracle.verify(load, String.format("%d bad requests answered %s, %d events published for them; "
					+ "2 orders with @class placed as plain orders", calls.size(), statuses.entrySet()
						.stream()
						.map(entry -> entry.getValue() + "x" + entry.getKey())
						.collect(Collectors.joining(" ")), published));
		}
	}

	private static List<Call> badCalls() {
		List<Call> calls = new ArrayList<>();
		// Not JSON, or JSON that is not an order.
		calls.add(bad("malformed JSON", "{\"customerId\": \"c-1\", \"email\": "));
		calls.add(bad("invalid UTF-8", "{\"customerId\":\"c\u00ff\"}").withBody(
				new byte[] { '{', '"', 'c', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}' }));
		calls.add(bad("empty body", ""));
		calls.add(bad("null", "null"));
		calls.add(bad("an array", "[1,2,3]"));
		calls.add(bad("a string", "\"order\""));
		// Missing and invalid fields.
		calls.add(bad("empty object", "{}"));
		calls.add(bad("no items", "{\"customerId\":\"c-1\",\"email\":\"ada@example.com\"}"));
		calls.add(bad("no email", "{\"customerId\":\"c-1\",\"items\":[" + ITEM + "]}"));
		calls.add(bad("no customerId", "{\"email\":\"ada@example.com\",\"items\":[" + ITEM + "]}"));
		calls.add(bad("invalid email", VALID.replace("ada@example.com", "not-an-email")));
		calls.add(bad("blank sku", VALID.replace("edge-kiwi", " ")));
		calls.add(bad("no quantity", VALID.replace(",\"quantity\":1", "")));
		calls.add(bad("negative quantity", VALID.replace("\"quantity\":1", "\"quantity\":-5")));
		calls.add(bad("zero quantity", VALID.replace("\"quantity\":1", "\"quantity\":0")));
		calls.add(bad("quantity 1.5", VALID.replace("\"quantity\":1", "\"quantity\":1.5")));
		calls.add(bad("quantity 1e10", VALID.replace("\"quantity\":1", "\"quantity\":1e10")));
		calls.add(bad("quantity past int", VALID.replace("\"quantity\":1", "\"quantity\":9999999999")));
		calls.add(bad("quantity over 10000", VALID.replace("\"quantity\":1", "\"quantity\":10001")));
		calls.add(bad("quantity true", VALID.replace("\"quantity\":1", "\"quantity\":true")));
		calls.add(bad("null item", VALID.replace(ITEM, "null")));
		calls.add(bad("items an object", VALID.replace("[" + ITEM + "]", ITEM)));
		calls.add(bad("101 items", VALID.replace(ITEM, String.join(",", java.util.Collections.nCopies(101, ITEM)))));
		calls.add(bad("customerId of 101", VALID.replace("c-1", "c".repeat(101))));
		calls.add(bad("invalid Idempotency-Key", VALID).withHeader("Idempotency-Key", "has spaces in it"));
		// Type tricks.
		calls.add(bad("@class alone", "{\"@class\":\"java.net.URL\",\"val\":\"http://example.com\"}"));
		calls.add(bad("wrapper-array typing", "[\"dev.rill.order.api.PlaceOrderRequest\"," + VALID + "]"));
		calls.add(bad("typed items", VALID.replace("[" + ITEM + "]", "[\"java.util.ArrayList\",[" + ITEM + "]]")));
		calls.add(bad("typed customerId", VALID.replace("\"c-1\"", "[\"java.lang.String\",\"c-1\"]")));
		// Deeper than Jackson's nesting limit (1000) but under the size limit.
		calls.add(bad("30000 levels deep", "{\"x\":" + "[".repeat(30_000) + "]".repeat(30_000) + "," + VALID.substring(1)));
		// Content after the order.
		calls.add(bad("order followed by xyz", VALID + " xyz"));
		calls.add(bad("two orders in one body", VALID + VALID));
		// Over the size limit (128 KB): refused before being read whole.
		String tenMegabytes = VALID.replace("c-1", "c".repeat(10_000_000));
		String millionLines = VALID.replace(ITEM, String.join(",", java.util.Collections.nCopies(1_000_000, ITEM)));
		calls.add(tooLarge("10 MB body", tenMegabytes));
		calls.add(tooLarge("10 MB body, chunked", tenMegabytes).sentChunked());
		calls.add(tooLarge("1,000,000 item lines (28 MB)", millionLines));
		calls.add(tooLarge("1,000,000 item lines (28 MB), chunked", millionLines).sentChunked());
		// Not JSON at all, or not this resource.
		for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
				"multipart/form-data; boundary=x", "application/merge-patch+json")) {
			calls.add(new Call("Content-Type " + type, "POST", type, VALID, 415));
		}
		calls.add(new Call("no Content-Type", "POST", null, VALID, 415));
		calls.add(new Call("PUT", "PUT", "application/json", VALID, 405));
		calls.add(new Call("DELETE", "DELETE", "application/json", VALID, 405));
		return calls;
	}

	private static Call bad(String name, String body) {
		return new Call(name, "POST", "application/json", body, 400);
	}

	private static Call tooLarge(String name, String body) {
		return new Call(name, "POST", "application/json", body, 413);
	}

	private static Answer send(URI uri, Call call) {
		// Without a length the client sends the body chunked.
		HttpRequest.BodyPublisher body = call.chunked()
				? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(call.body()))
				: HttpRequest.BodyPublishers.ofByteArray(call.body());
		HttpRequest.Builder request = HttpRequest.newBuilder(uri)
			.timeout(Duration.ofSeconds(30))
			.method(call.method(), body);
		if (call.contentType() != null) {
			request.header("Content-Type", call.contentType());
		}
		call.headers().forEach(request::header);
		try {
			HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
			return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
					response.body());
		}
		catch (IOException ex) {
			throw new IllegalStateException(call.name() + ": no answer", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static JsonNode json(String text) {
		try {
			return JSON.readTree(text);
		}
		catch (IOException ex) {
			throw new IllegalStateException(text, ex);
		}
	}

	private record Call(String name, String method, String contentType, byte[] body, Map<String, String> headers,
			int expected, boolean chunked) {

		Call(String name, String method, String contentType, String body, int expected) {
			this(name, method, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of(), expected, false);
		}

		Call withBody(byte[] bytes) {
			return new Call(this.name, this.method, this.contentType, bytes, this.headers, this.expected, this.chunked);
		}

		Call withHeader(String header, String value) {
			return new Call(this.name, this.method, this.contentType, this.body, Map.of(header, value), this.expected,
					this.chunked);
		}

		Call sentChunked() {
			return new Call(this.name, this.method, this.contentType, this.body, this.headers, this.expected, true);
		}

	}

	private record Answer(int status, String contentType, String body) {

		@Override
		public String toString() {
			return this.status + " " + this.contentType + " " + this.body.substring(0, Math.min(200, this.body.length()));
		}

	}

}
