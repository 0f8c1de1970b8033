package dev.rill.order.api;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rill.order.OrderAppTest;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.messaging.Message;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The HTTP API on a real Redis, with Spring Cloud Stream's test binder in place of the
 * transport: what a client sends, what it gets back, and what reaches {@code orders}.
 */
@ExtendWith(OutputCaptureExtension.class)
class OrderApiTests extends OrderAppTest {

	static final String VALID = """
			{"customerId":"c-7","email":"ada@example.com","items":[{"sku":"apple","quantity":2},{"sku":"pear","quantity":1}]}
			""";

	@Autowired
	MockMvc mvc;

	@Autowired
	ObjectMapper json;

	@Autowired
	StringRedisTemplate redisTemplate;

	@Test
	void placingAnOrderAnswers202WithLocationAndSendsOrderPlacedWithHeaders() throws Exception {
		MvcResult result = this.mvc
			.perform(post("/orders").contentType(MediaType.APPLICATION_JSON)
				.header("X-Correlation-Id", "corr-42")
				.content(VALID))
			.andExpect(status().isAccepted())
			.andExpect(jsonPath("$.status").value("PLACED"))
			.andExpect(header().string("X-Correlation-Id", "corr-42"))
			.andReturn();
		String orderId = this.json.readTree(result.getResponse().getContentAsString()).get("orderId").asText();
		assertThat(UUID.fromString(orderId)).hasToString(orderId);
		assertThat(result.getResponse().getHeader("Location")).isEqualTo("/orders/" + orderId);

		Message<byte[]> sent = this.output.receive(1000, "orders");
		assertThat(sent).isNotNull();
		assertThat(sent.getHeaders()).containsEntry("eventType", "OrderPlaced")
			.containsEntry("eventVersion", "1")
			.containsEntry("correlationId", "corr-42")
			.containsEntry("orderId", orderId);
		JsonNode event = this.json.readTree(sent.getPayload());
		assertThat(event.get("orderId").asText()).isEqualTo(orderId);
		assertThat(UUID.fromString(event.get("eventId").asText())).isNotNull();
		assertThat(event.get("customerId").asText()).isEqualTo("c-7");
		assertThat(event.get("email").asText()).isEqualTo("ada@example.com");
		assertThat(event.get("items").toString())
			.isEqualTo("[{\"sku\":\"apple\",\"quantity\":2},{\"sku\":\"pear\",\"quantity\":1}]");
		assertThat(event.get("occurredAt").isTextual()).as("ISO-8601 instant").isTrue();
		assertThat(this.output.receive(100, "orders")).as("exactly one event").isNull();

		this.mvc.perform(get("/orders/{id}", orderId))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.orderId").value(orderId))
			.andExpect(jsonPath("$.status").value("PLACED"))
			.andExpect(jsonPath("$.customerId").value("c-7"))
			.andExpect(jsonPath("$.email").value("ada@example.com"))
			.andExpect(jsonPath("$.items[1].sku").value("pear"))
			.andExpect(jsonPath("$.updatedAt").value(event.get("occurredAt").asText()))
			.andExpect(jsonPath("$.reason").doesNotExist());
	}

	@Test
	void withoutCorrelationIdANewOneIsMadeAndSentAlong() throws Exception {
		MvcResult result = postOrder(VALID).andExpect(status().isAccepted()).andReturn();
		String correlationId = result.getResponse().getHeader("X-Correlation-Id");
		assertThat(UUID.fromString(correlationId)).hasToString(correlationId);
		assertThat(this.output.receive(1000, "orders").getHeaders()).containsEntry("correlationId", correlationId);
	}

	@Test
	void aCorrelationIdThatIsNotAPlainTokenIsReplaced() throws Exception {
		MvcResult result = this.mvc
			.perform(post("/orders").contentType(MediaType.APPLICATION_JSON)
				.header("X-Correlation-Id", "evil id\nFAKE LOG LINE")
				.content(VALID))
			.andExpect(status().isAccepted())
			.andReturn();
		String correlationId = result.getResponse().getHeader("X-Correlation-Id");
		assertThat(UUID.fromString(correlationId)).hasToString(correlationId);
		assertThat(this.output.receive(1000, "orders").getHeaders()).containsEntry("correlationId", correlationId);
	}

	@Test
	void logLinesOfTheRequestCarryItsCorrelationId(CapturedOutput log) throws Exception {
		MvcResult result = this.mvc
			.perform(post("/orders").contentType(MediaType.APPLICATION_JSON)
				.header("X-Correlation-Id", "corr-log-1")
				.content(VALID))
			.andExpect(status().isAccepted())
			.andReturn();
		String orderId = this.json.readTree(result.getResponse().getContentAsString()).get("orderId").asText();

		assertThat(log.getOut().lines().filter(line -> line.contains("Order " + orderId + " placed")))
			.singleElement(InstanceOfAssertFactories.STRING)
			.contains("[corr=corr-log-1]")
			.doesNotContain("ada@example.com");
	}

	@Test
	void everyInvalidFieldIsListedInOneProblem() throws Exception {
		String body = """
				{"customerId":" ","email":"not-an-email","items":[
				  {"sku":"","quantity":0},
				  {"sku":"ok","quantity":10001},
				  null,
				  {"sku":"ok"}
				]}
				""";
		postRefused(body)
			.andExpect(jsonPath("$.status").value(400))
			.andExpect(jsonPath("$.instance").value("/orders"))
			.andExpect(jsonPath("$.errors", hasSize(7)))
			.andExpect(jsonPath("$.errors[?(@.field == 'customerId')].message").value("must not be blank"))
			.andExpect(jsonPath("$.errors[?(@.field == 'email')].message")
				.value("must be a well-formed email address"))
			.andExpect(jsonPath("$.errors[?(@.field == 'items[0].sku')].message").value("must not be blank"))
			.andExpect(jsonPath("$.errors[?(@.field == 'items[0].quantity')].message")
				.value("must be greater than or equal to 1"))
			.andExpect(jsonPath("$.errors[?(@.field == 'items[1].quantity')].message")
				.value("must be less than or equal to 10000"))
			.andExpect(jsonPath("$.errors[?(@.field == 'items[2]')].message").value("must not be null"))
			.andExpect(jsonPath("$.errors[?(@.field == 'items[3].quantity')].message").value("must not be null"));
		assertNothingSent();
	}

	@Test
	void missingFieldsAndEmptyItemsAreListed() throws Exception {
		postRefused("{\"items\":[]}")
			.andExpect(jsonPath("$.errors", hasSize(3)))
			.andExpect(jsonPath("$.errors[?(@.field == 'customerId')].message").value("must not be blank"))
			.andExpect(jsonPath("$.errors[?(@.field == 'email')].message").value("must not be blank"))
			.andExpect(jsonPath("$.errors[?(@.field == 'items')].message").value("must not be empty"));
		assertNothingSent();
	}

	@Test
	void moreThanAHundredLinesAreRefused() throws Exception {
		String items = IntStream.range(0, 101)
			.mapToObj(i -> "{\"sku\":\"s" + i + "\",\"quantity\":1}")
			.collect(Collectors.joining(","));
		String body = "{\"customerId\":\"c\",\"email\":\"a@example.com\",\"items\":[" + items + "]}";
		postOrder(body)
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.errors[0].field").value("items"))
			.andExpect(jsonPath("$.errors[0].message").value("size must be between 0 and 100"));
		assertNothingSent();
	}

	@Test
	void malformedJsonIsA400Problem() throws Exception {
		postRefused("{\"customerId\": \"c-7\",")
			.andExpect(jsonPath("$.status").value(400))
			.andExpect(jsonPath("$.detail", containsString("Malformed JSON")));
		postRefused("");
		assertNothingSent();
	}

	@Test
	void contentAfterTheJsonOrderIsA400Problem() throws Exception {
		postRefused(VALID.strip() + " xyz")
			.andExpect(jsonPath("$.detail", containsString("Malformed JSON")));
		postRefused(VALID + VALID)
			.andExpect(jsonPath("$.detail").value("More content after the JSON order: send one order per request"));
		postRefused(VALID.strip() + "[]");
		// Whitespace after the order is not content.
		postOrder(VALID + "\n\t \r\n").andExpect(status().isAccepted());
		assertThat(this.output.receive(1000, "orders")).as("the one valid order").isNotNull();
		assertNothingSent();
	}

	@Test
	void aValueOfTheWrongTypeNamesItsField() throws Exception {
		String body = """
				{"customerId":"c","email":"a@example.com","items":[{"sku":"s","quantity":"many"}]}
				""";
		postRefused(body)
			.andExpect(jsonPath("$.errors[0].field").value("items[0].quantity"))
			.andExpect(jsonPath("$.errors[0].message").value("must be an integer"))
			.andExpect(jsonPath("$.detail", not(containsString("many"))));
		String fraction = VALID.replace("\"quantity\":2", "\"quantity\":1.5");
		postOrder(fraction)
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.errors[0].field").value("items[0].quantity"));
		assertNothingSent();
	}

	@Test
	void otherContentTypesAre415() throws Exception {
		this.mvc.perform(post("/orders").contentType(MediaType.TEXT_PLAIN).content(VALID))
			.andExpect(status().isUnsupportedMediaType())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
		this.mvc.perform(post("/orders").contentType(MediaType.APPLICATION_XML).content("<order/>"))
			.andExpect(status().isUnsupportedMediaType());
		assertNothingSent();
	}

	@Test
	void aClassNamedInTheJsonIsNeverInstantiated() throws Exception {
		Canary.instances.set(0);
		String canary = Canary.class.getName();
		// Where the request has room for it, "@class" is just an unknown field and ignored.
		String ignored = """
				{"@class":"%1$s","command":"touch /tmp/pwned","customerId":"c-7","email":"ada@example.com",
				 "items":[{"@class":"%1$s","sku":"apple","quantity":1}]}
				""".formatted(canary);
		postOrder(ignored).andExpect(status().isAccepted());
		// Where a string is expected, an object (a "gadget") is a type error.
		String gadget = """
				{"customerId":{"@class":"%1$s","command":"touch /tmp/pwned"},"email":"ada@example.com",
				 "items":[{"sku":"apple","quantity":1}]}
				""".formatted(canary);
		postOrder(gadget)
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.errors[0].field").value("customerId"))
			.andExpect(jsonPath("$.errors[0].message").value("must be a string"));
		String processBuilder = """
				{"customerId":["java.lang.ProcessBuilder",{"command":["touch","/tmp/pwned"]}],
				 "email":"ada@example.com","items":[{"sku":"apple","quantity":1}]}
				""";
		postOrder(processBuilder)
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.errors[0].field").value("customerId"));

		assertThat(Canary.instances).hasValue(0);
		Message<byte[]> sent = this.output.receive(1000, "orders");
		assertThat(new String(sent.getPayload())).doesNotContain("@class").doesNotContain("pwned");
		assertNothingSent();
	}

	@Test
	void theSameIdempotencyKeyReturnsTheSameOrderAndPlacesItOnce() throws Exception {
		String first = placeWithKey("key-1");
		String second = placeWithKey("key-1");

		assertThat(second).isEqualTo(first);
		assertThat(this.output.receive(1000, "orders").getHeaders()).containsEntry("orderId", first);
		assertNothingSent();
		assertThat(this.redisTemplate.opsForValue().get("order:idempotency:key-1")).isEqualTo(first);
		assertThat(this.redisTemplate.getExpire("order:idempotency:key-1")).isPositive();

		assertThat(placeWithKey("key-2")).isNotEqualTo(first);
		assertThat(this.output.receive(1000, "orders")).isNotNull();
	}

	@Test
	void aKeyWhoseOrderIsStillBeingPlacedIsAConflict() throws Exception {
		this.redisTemplate.opsForValue().set("order:idempotency:busy", "pending:" + UUID.randomUUID());

		this.mvc
			.perform(post("/orders").contentType(MediaType.APPLICATION_JSON)
				.header("Idempotency-Key", "busy")
				.content(VALID))
			.andExpect(status().isConflict())
			.andExpect(header().string("Retry-After", "1"))
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
		assertNothingSent();
	}

	@Test
	void anUnusableIdempotencyKeyIsA400() throws Exception {
		this.mvc
			.perform(post("/orders").contentType(MediaType.APPLICATION_JSON)
				.header("Idempotency-Key", "has spaces")
				.content(VALID))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.errors[0].field").value("Idempotency-Key"));
		this.mvc
			.perform(post("/orders").contentType(MediaType.APPLICATION_JSON)
				.header("Idempotency-Key", "k".repeat(201))
				.content(VALID))
			.andExpect(status().isBadRequest());
		assertNothingSent();
	}

	@Test
	void anUnknownOrderIsA404Problem() throws Exception {
		for (String id : List.of(UUID.randomUUID().toString(), "not-a-uuid")) {
			this.mvc.perform(get("/orders/{id}", id))
				.andExpect(status().isNotFound())
				.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
				.andExpect(jsonPath("$.status").value(404));
		}
	}

	private String placeWithKey(String key) throws Exception {
		MvcResult result = this.mvc.perform(idempotent(key)).andExpect(status().isAccepted()).andReturn();
		Map<?, ?> body = this.json.readValue(result.getResponse().getContentAsString(), Map.class);
		assertThat(body.get("status")).isEqualTo("PLACED");
		assertThat(result.getResponse().getHeader("Location")).isEqualTo("/orders/" + body.get("orderId"));
		return (String) body.get("orderId");
	}

	private MockHttpServletRequestBuilder idempotent(String key) {
		return post("/orders").contentType(MediaType.APPLICATION_JSON).header("Idempotency-Key", key).content(VALID);
	}

	/** {@code POST /orders} with a JSON body. */
	private ResultActions postOrder(String body) throws Exception {
		return this.mvc.perform(post("/orders").contentType(MediaType.APPLICATION_JSON).content(body));
	}

	/**
	 * {@code POST /orders} with a JSON body that must be refused: {@code 400} with an
	 * {@code application/problem+json} body.
	 */
	private ResultActions postRefused(String body) throws Exception {
		return postOrder(body).andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
	}

	private void assertNothingSent() {
		assertThat(this.output.receive(100, "orders")).as("no (further) OrderPlaced").isNull();
	}

}
