package dev.rill.order.saga;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.rill.binder.redis.test.RedisServerExtension;
import dev.rill.order.AttemptCounter;
import dev.rill.order.events.UnreadableEventException;
import dev.rill.order.store.OrderReadModel;
import dev.rill.order.store.OrderStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.messaging.MessageChannel;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.rill.order.EventMessages.orderPlaced;
import static dev.rill.order.EventMessages.stockReserved;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Events whose payload is a JSON array, written with a raw {@code XADD} into {@code stock}
 * ({@code confirmOrder}, group {@code order}) and {@code orders} ({@code projectOrder}, group
 * {@code order-view}) and read on the real Redis Streams binder. Spring Cloud Function would
 * split such a payload and never run the function (see
 * {@link dev.rill.order.events.JsonArrayPayloadGuard}): {@code confirmOrder}'s entry would be
 * dead-lettered with a producer's conversion error, {@code projectOrder}'s, given a
 * {@code user-agent} header, acknowledged without a trace. Each must be dead-lettered at the
 * first attempt naming the reason, and well-formed events on the same bindings handled as usual.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
		"spring.cloud.stream.default-binder=redis",
		"spring.cloud.stream.redis.default.consumer.block-time=200ms",
		"spring.cloud.stream.redis.bindings.confirmOrder-in-0.consumer.block-time=200ms",
		"spring.cloud.stream.redis.bindings.projectOrder-in-0.consumer.block-time=200ms",
		"spring.cloud.stream.redis.binder.shutdown-timeout=2s" })
@DirtiesContext
class JsonArrayPayloadTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	@DynamicPropertySource
	static void redisProps(DynamicPropertyRegistry registry) {
		redis.registerSpringProperties(registry);
	}

	/** Stopped (bindings first) before the Redis extension stops the server. */
	private static ConfigurableApplicationContext context;

	@Autowired
	StringRedisTemplate redisTemplate;

	@Autowired
	OrderReadModel readModel;

	@Autowired
	@Qualifier("confirmOrder-in-0")
	MessageChannel confirmOrderInput;

	@Autowired
	@Qualifier("projectOrder-in-0")
	MessageChannel projectOrderInput;

	@BeforeEach
	void setUp(@Autowired ConfigurableApplicationContext applicationContext) {
		context = applicationContext;
		// Not FLUSHALL: the bindings' consumer groups must stay.
		this.redisTemplate.delete(List.of("order-status", "orders.order-view.dlq", "stock.order.dlq"));
		this.redisTemplate.delete(this.redisTemplate.keys("order:*"));
	}

	@AfterAll
	static void stopBindingsWhileRedisRuns() {
		if (context != null) {
			context.stop();
		}
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "stock | order | StockReserved | [{\"orderId\":\"o-1\"}] | false",
			"stock | order | StockRejected | [1,2] | true", "orders | order-view | OrderPlaced | [] | false",
			"orders | order-view | OrderPlaced | [{\"orderId\":\"o-1\"}] | true" })
	void aJsonArrayPayloadIsDeadLetteredAtTheFirstAttemptNamingTheReason(String stream, String group,
			String eventType, String payload, boolean userAgent) {
		MessageChannel binding = stream.equals("stock") ? this.confirmOrderInput : this.projectOrderInput;
		Map<String, String> fields = fields(eventType, payload, "o-1");
		if (userAgent) {
			fields.put("user-agent", "curl/8.5.0");
		}

		try (AttemptCounter attempts = AttemptCounter.on(binding)) {
			RecordId id = this.redisTemplate.opsForStream().add(MapRecord.create(stream, fields));

			String dlq = stream + "." + group + ".dlq";
			Map<Object, Object> deadLetter = await("dead letter of " + id + " in " + dlq)
				.atMost(Duration.ofSeconds(30))
				.until(() -> deadLetter(dlq, id), Optional::isPresent)
				.get();
			assertThat(deadLetter).containsEntry("payload", payload)
				.containsEntry("x-exception-fqcn", UnreadableEventException.class.getName())
				.containsEntry("x-exception-message", "Unreadable " + eventType + " payload (" + payload.length()
						+ " bytes): a JSON array, but an event is one JSON object")
				.containsEntry("x-delivery-count", "1");
			// The binding allows 3 attempts: this one was not retried.
			assertThat(attempts.attempts()).isEqualTo(1);
		}
		await("acknowledged").atMost(Duration.ofSeconds(10))
			.until(() -> this.redisTemplate.opsForStream().pending(stream, group).getTotalPendingMessages() == 0);
		assertThat(this.readModel.find("o-1")).isEmpty();
		assertThat(this.redisTemplate.hasKey("order-status")).isFalse();
	}

	@Test
	void anOrderPlacedAndAStockReservedObjectAreStillHandled() {
		this.redisTemplate.opsForStream().add(MapRecord.create("orders", fields("OrderPlaced",
				text(orderPlaced("o-2", "c-2", "2024-05-01T08:00:00Z", "corr-2").getPayload()), "o-2")));
		await("projected").atMost(Duration.ofSeconds(30)).until(() -> this.readModel.find("o-2").isPresent());

		this.redisTemplate.opsForStream().add(MapRecord.create("stock", fields("StockReserved",
				text(stockReserved("5f0c6c1e-8a44-4c1b-9a55-0d6a3c1f2b11", "o-2", "corr-2").getPayload()), "o-2")));

		await("OrderConfirmed on order-status").atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.redisTemplate.opsForStream().range("order-status", Range.unbounded()))
				.singleElement()
				.satisfies(entry -> assertThat(entry.getValue()).containsEntry("eventType", "OrderConfirmed")
					.containsEntry("orderId", "o-2")));
		assertThat(this.readModel.find("o-2")).hasValueSatisfying(
				order -> assertThat(order.status()).isEqualTo(OrderStatus.CONFIRMED));
		assertThat(this.redisTemplate.hasKey("orders.order-view.dlq")).isFalse();
		assertThat(this.redisTemplate.hasKey("stock.order.dlq")).isFalse();
	}

	/** The fields order-app and inventory-app write for an event (see e2e {@code PoisonEventTests}). */
	private static Map<String, String> fields(String eventType, String payload, String orderId) {
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put("payload", payload);
		fields.put("contentType", "application/json");
		fields.put("eventType", eventType);
		fields.put("eventVersion", "1");
		fields.put("orderId", orderId);
		fields.put("correlationId", "corr-" + orderId);
		return fields;
	}

	private Optional<Map<Object, Object>> deadLetter(String dlq, RecordId id) {
		return this.redisTemplate.opsForStream()
			.range(dlq, Range.unbounded())
			.stream()
			.map(MapRecord::getValue)
			.filter(fields -> id.getValue().equals(fields.get("x-original-entry-id")))
			.findFirst();
	}

	private static String text(byte[] payload) {
		return new String(payload, StandardCharsets.UTF_8);
	}

}
