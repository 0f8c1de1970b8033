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
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * {@code POST /orders} over the real Redis Streams binder, whose Redis (the "bus") is separate
 * from the read model's, so that the bus can fail while the store works: an order whose event
 * Redis did not confirm is answered with 503, and leaves nothing behind.
 */
@SpringBootTest(properties = { "spring.cloud.stream.default-binder=bus",
		"spring.cloud.stream.binders.bus.type=redis",
		"spring.cloud.stream.redis.bindings.placeOrder-out-0.producer.send-timeout=1s",
		// Only the producer is under test; consumers polling a stopped Redis would only add noise.
		"spring.cloud.stream.bindings.confirmOrder-in-0.consumer.auto-startup=false",
		"spring.cloud.stream.bindings.projectOrder-in-0.consumer.auto-startup=false" })
@AutoConfigureMockMvc
@ExtendWith(OutputCaptureExtension.class)
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
	void anUnconfirmedSendIsA503AndLeavesNoOrderNorKeyBehind(CapturedOutput log) throws Exception {
		String before = place("key-before");
		assertThat(streamOrderIds()).containsExactly(before);

		bus.stop();
		this.mvc.perform(order("key-down"))
			.andExpect(status().isServiceUnavailable())
			.andExpect(header().string("Retry-After", "1"))
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.status").value(503))
			.andExpect(jsonPath("$.orderId").doesNotExist());

		String lost = notPlacedOrderId(log);
		this.mvc.perform(get("/orders/{id}", lost))
			.andExpect(status().isNotFound())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
		assertThat(this.storeRedis.keys("order:orders:*")).containsExactly("order:orders:" + before);
		assertThat(this.storeRedis.hasKey("order:idempotency:key-down")).as("key released").isFalse();
		this.mvc.perform(get("/orders/{id}", before)).andExpect(status().isOk());

		// The client retries with the same key once the bus is back: a new order is placed.
		bus.restart();
		String retried = await().atMost(Duration.ofSeconds(20)).until(() -> tryPlace("key-down"), id -> id != null);
		assertThat(retried).isNotEqualTo(lost);
		this.mvc.perform(get("/orders/{id}", retried)).andExpect(status().isOk());
		assertThat(streamOrderIds()).as("the failed send never reached the stream, not even after reconnecting")
			.containsExactly(before, retried);
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

	private static String notPlacedOrderId(CapturedOutput log) {
		Matcher matcher = Pattern.compile("Order ([0-9a-f-]{36}) not placed").matcher(log.getOut());
		assertThat(matcher.find()).as("the WARN naming the order that was not placed").isTrue();
		return matcher.group(1);
	}

}
