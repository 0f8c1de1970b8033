package dev.rill.order.placement;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rill.binder.redis.test.RedisServerExtension;
import dev.rill.binder.redis.test.RedisServerProcess.Fsync;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * {@code POST /orders} over the real Redis Streams binder, whose Redis (the "bus") is separate
 * from the read model's, so that the bus can fail while the store works. An order whose event
 * Redis did not confirm in time is answered 503 "outcome unknown" naming the order, which is
 * kept: if Redis writes the event later (a paused or frozen Redis executes the XADD when it
 * resumes) it is a real order; a retry with the same Idempotency-Key sends the same event again
 * and answers with that order, never with a second one.
 */
@SpringBootTest(properties = { "spring.cloud.stream.default-binder=bus",
		"spring.cloud.stream.binders.bus.type=redis",
		"spring.cloud.stream.redis.bindings.placeOrder-out-0.producer.send-timeout=1s",
		// Only the producer is under test; consumers polling a stopped Redis would only add noise.
		"spring.cloud.stream.bindings.confirmOrder-in-0.consumer.auto-startup=false",
		"spring.cloud.stream.bindings.projectOrder-in-0.consumer.auto-startup=false" })
@AutoConfigureMockMvc
@DirtiesContext
class SendFailureTests {

	static final String ORDER = """
			{"customerId":"c-7","email":"ada@example.com","items":[{"sku":"apple","quantity":2}]}
			""";

	/** The read model and the idempotency keys. */
	@RegisterExtension
	static final RedisServerExtension store = RedisServerExtension.create();

	/** The streams, through the binder; with AOF, so that a restart keeps what was written. */
	@RegisterExtension
	static final RedisServerExtension bus = RedisServerExtension.withAof(Fsync.ALWAYS);

	@DynamicPropertySource
	static void redisProperties(DynamicPropertyRegistry registry) {
		store.registerSpringProperties(registry);
		// A binder with an environment of its own gets its own Redis connection factory.
		registry.add("spring.cloud.stream.binders.bus.environment.spring.data.redis.host", bus::host);
		registry.add("spring.cloud.stream.binders.bus.environment.spring.data.redis.port", () -> {
			bus.server();
			return bus.port();
		});
	}

	@Autowired
	MockMvc mvc;

	@Autowired
	ObjectMapper json;

	@Autowired
	StringRedisTemplate storeRedis;

	@BeforeEach
	void bothRunningAndEmpty() {
		for (RedisServerExtension server : List.of(store, bus)) {
			if (!server.server().isRunning()) {
				server.restart();
			}
			server.flushAll();
		}
	}

	@Test
	void anUnavailableStoreIsA503AndNothingIsSent() throws Exception {
		store.stop();

		this.mvc.perform(order("key-store-down"))
			.andExpect(status().isServiceUnavailable())
			.andExpect(header().string("Retry-After", "1"))
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.title").value("Store unavailable"));
		this.mvc.perform(get("/orders/{id}", UUID.randomUUID()))
			.andExpect(status().isServiceUnavailable())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));

		assertThat(streamOrderIds()).isEmpty();
	}

	@Test
	void aSendToAStoppedBusIsA503OutcomeUnknownAndARetryWithTheKeyPlacesThatOrderOnce() throws Exception {
		String before = place("key-before");

		bus.stop();
		String unknown = outcomeUnknown("key-down");

		// Kept: the send timed out, so the event could still be written.
		this.mvc.perform(get("/orders/{id}", unknown))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.status").value("PLACED"));
		assertThat(this.storeRedis.opsForValue().get("order:idempotency:key-down")).isEqualTo("unknown:" + unknown);

		// The client retries with the same key once the bus is back: the same order is placed.
		bus.restart();
		String retried = await().atMost(Duration.ofSeconds(20)).until(() -> tryPlace("key-down"), id -> id != null);
		assertThat(retried).isEqualTo(unknown);
		assertThat(this.storeRedis.opsForValue().get("order:idempotency:key-down")).isEqualTo(unknown);
		assertThat(this.storeRedis.keys("order:orders:*")).containsExactlyInAnyOrder("order:orders:" + before,
				"order:orders:" + unknown);
		// The timed-out send was cancelled while Lettuce held it for the reconnection: written once, by the retry.
		assertThat(streamEventIds()).containsExactly(OrderPlacedSender.eventIdOf(before),
				OrderPlacedSender.eventIdOf(unknown));
		assertThat(place("key-down")).as("from now on the key returns it").isEqualTo(unknown);
	}

	@Test
	void aSendThatTimesOutWhileRedisIsPausedIsWrittenLaterAndARetryPlacesNoSecondOrder() throws Exception {
		// Redis holds write commands until told to go on: the XADD waits in Redis past the send-timeout (1 s).
		String unknown;
		bus.server().command("CLIENT", "PAUSE", "60000", "WRITE");
		try {
			unknown = outcomeUnknown("key-paused");
		}
		finally {
			bus.server().command("CLIENT", "UNPAUSE");
		}

		String eventId = OrderPlacedSender.eventIdOf(unknown);
		await("the XADD written once Redis resumes").atMost(Duration.ofSeconds(20))
			.until(SendFailureTests::streamEventIds, ids -> ids.contains(eventId));
		this.mvc.perform(get("/orders/{id}", unknown))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.status").value("PLACED"));

		// The retry re-sends the same event (consumers absorb the copy) and answers with the same order.
		assertThat(place("key-paused")).isEqualTo(unknown);
		assertThat(streamEventIds()).containsExactly(eventId, eventId);
		assertThat(streamOrderIds()).containsExactly(unknown);
		assertThat(this.storeRedis.keys("order:orders:*")).containsExactly("order:orders:" + unknown);
		assertThat(place("key-paused")).isEqualTo(unknown);
		assertThat(streamEventIds()).as("a placed key sends nothing more").hasSize(2);
	}

	/** POST an order whose send times out; returns the id the 503 names. */
	private String outcomeUnknown(String key) throws Exception {
		MvcResult result = this.mvc.perform(order(key))
			.andExpect(status().isServiceUnavailable())
			.andExpect(header().string("Retry-After", "1"))
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.title").value("Order outcome unknown"))
			.andExpect(jsonPath("$.detail").value(containsString("Retry with the same Idempotency-Key")))
			.andReturn();
		String orderId = (String) this.json.readValue(result.getResponse().getContentAsString(), Map.class)
			.get("orderId");
		assertThat(result.getResponse().getHeader("Location")).isEqualTo("/orders/" + orderId);
		return orderId;
	}

	private String place(String key) throws Exception {
		MvcResult result = this.mvc.perform(order(key)).andExpect(status().isAccepted()).andReturn();
		return (String) this.json.readValue(result.getResponse().getContentAsString(), Map.class).get("orderId");
	}

	private String tryPlace(String key) throws Exception {
		MvcResult result = this.mvc.perform(order(key)).andReturn();
		if (result.getResponse().getStatus() != 202) {
			return null;
		}
		return (String) this.json.readValue(result.getResponse().getContentAsString(), Map.class).get("orderId");
	}

	private static MockHttpServletRequestBuilder order(String key) {
		return post("/orders").contentType(MediaType.APPLICATION_JSON).header("Idempotency-Key", key).content(ORDER);
	}

	/** The orderId header field of every entry of stream {@code orders} on the bus, in order. */
	private static List<String> streamOrderIds() {
		String entries = bus.server().command("XRANGE", "orders", "-", "+");
		Matcher matcher = Pattern.compile("orderId\\W+([0-9a-f-]{36})").matcher(String.valueOf(entries));
		List<String> ids = new ArrayList<>();
		while (matcher.find()) {
			if (!ids.contains(matcher.group(1))) {
				ids.add(matcher.group(1));
			}
		}
		return ids;
	}

	/** The eventId of every entry of stream {@code orders} on the bus, in order (one per entry). */
	private static List<String> streamEventIds() {
		String entries = bus.server().command("XRANGE", "orders", "-", "+");
		Matcher matcher = Pattern.compile("eventId\\W+([0-9a-f-]{36})").matcher(String.valueOf(entries));
		List<String> ids = new ArrayList<>();
		while (matcher.find()) {
			ids.add(matcher.group(1));
		}
		return ids;
	}

}
