package dev.rill.order.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.binder.test.OutputDestination;
import org.springframework.cloud.stream.binder.test.TestChannelBinderConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rill.order.max-request-size} over real HTTP (Tomcat on a random port, a real Redis, the
 * test binder): a body over the limit is answered 413 {@code application/problem+json} whether
 * its {@code Content-Length} says so or it arrives chunked, nothing is sent, and the service goes
 * on serving; the largest valid order, however encoded, is under the default limit.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "spring.cloud.stream.default-binder=" + TestChannelBinderConfiguration.NAME)
@Import(TestChannelBinderConfiguration.class)
@DirtiesContext
class RequestSizeLimitTests {

	/** The default, 128 KB. */
	static final int LIMIT = 128 * 1024;

	static final String ITEM = "{\"sku\":\"apple\",\"quantity\":1}";

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	@DynamicPropertySource
	static void redisProperties(DynamicPropertyRegistry registry) {
		redis.registerSpringProperties(registry);
	}

	static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@LocalServerPort
	int port;

	@Autowired
	OutputDestination output;

	@Autowired
	ObjectMapper json;

	@BeforeEach
	void clean() {
		this.output.clear();
	}

	@Test
	void aContentLengthOverTheLimitIs413() throws Exception {
		HttpResponse<String> response = post(HttpRequest.BodyPublishers.ofString(order(LIMIT)));

		assertTooLarge(response);
		assertStillServing();
	}

	@Test
	void aChunkedBodyOverTheLimitIs413() throws Exception {
		byte[] body = order(LIMIT).getBytes(StandardCharsets.UTF_8);

		HttpResponse<String> response = post(chunked(body));

		assertTooLarge(response);
		assertStillServing();
	}

	@Test
	void anOrderOfAMillionItemLinesIs413WhetherChunkedOrNot() throws Exception {
		String million = "{\"customerId\":\"c-1\",\"email\":\"ada@example.com\",\"items\":["
				+ String.join(",", Collections.nCopies(1_000_000, ITEM)) + "]}";
		assertThat(million.length()).as("28 MB").isGreaterThan(28_000_000);

		assertTooLarge(post(HttpRequest.BodyPublishers.ofString(million)));
		assertTooLarge(post(chunked(million.getBytes(StandardCharsets.UTF_8))));
		assertStillServing();
	}

	@Test
	void aBodyOfExactlyTheLimitIsRead() throws Exception {
		String order = order(LIMIT - 1);
		String exact = order.substring(0, order.length() - 1) + " ".repeat(LIMIT - order.length()) + "}";
		assertThat(exact.getBytes(StandardCharsets.UTF_8)).hasSize(LIMIT);

		assertThat(post(HttpRequest.BodyPublishers.ofString(exact)).statusCode()).isEqualTo(202);
		assertThat(post(chunked(exact.getBytes(StandardCharsets.UTF_8))).statusCode()).isEqualTo(202);
	}

	@Test
	void theLargestValidOrderFitsTheDefaultLimitEvenWithEveryCharacterEscaped() throws Exception {
		String sku = escaped("s".repeat(100));
		String item = "{\"sku\":\"" + sku + "\",\"quantity\":10000}";
		String largest = "{\"customerId\":\"" + escaped("c".repeat(100)) + "\",\"email\":\""
				+ escaped("a".repeat(64) + "@" + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(61))
				+ "\",\"items\":[" + String.join(",", Collections.nCopies(100, item)) + "]}";
		assertThat(largest.length()).as("bytes").isBetween(60_000, LIMIT);

		HttpResponse<String> response = post(HttpRequest.BodyPublishers.ofString(largest));

		assertThat(response.statusCode()).as("%s", response.body()).isEqualTo(202);
	}

	private HttpResponse<String> post(BodyPublisher body) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/orders"))
			.timeout(Duration.ofSeconds(60))
			.header("Content-Type", "application/json")
			.POST(body)
			.build();
		return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private void assertTooLarge(HttpResponse<String> response) throws IOException {
		assertThat(response.statusCode()).as("%s", response.body()).isEqualTo(413);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		JsonNode problem = this.json.readTree(response.body());
		assertThat(problem.path("title").asText()).isEqualTo("Content Too Large");
		assertThat(problem.path("limit").asLong()).isEqualTo(LIMIT);
		assertThat(problem.path("detail").asText())
			.isEqualTo("The request body is larger than 131072 bytes (rill.order.max-request-size)");
		assertThat(this.output.receive(100, "orders")).as("OrderPlaced").isNull();
	}

	private void assertStillServing() throws Exception {
		assertThat(post(HttpRequest.BodyPublishers.ofString(order(0))).statusCode()).isEqualTo(202);
		assertThat(this.output.receive(1000, "orders")).as("OrderPlaced of the valid order").isNotNull();
	}

	/** A valid order whose customerId is padded until the body has more than {@code bytes} bytes. */
	private static String order(int bytes) {
		String order = "{\"customerId\":\"c-1\",\"email\":\"ada@example.com\",\"items\":[" + ITEM + "]}";
		return (order.length() > bytes) ? order : order.replace("[", " ".repeat(bytes - order.length() + 1) + "[");
	}

	/** Without a length, so the client sends it chunked. */
	private static BodyPublisher chunked(byte[] body) {
		return HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
	}

	private static String escaped(String text) {
		StringBuilder escaped = new StringBuilder();
		text.chars().forEach(c -> escaped.append(String.format("\\u%04x", c)));
		return escaped.toString();
	}

}
