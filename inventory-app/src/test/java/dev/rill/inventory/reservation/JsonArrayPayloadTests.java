package dev.rill.inventory.reservation;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.rill.inventory.PrivateRedisTest;
import dev.rill.inventory.events.UnreadableEventException;
import dev.rill.inventory.store.StockLevel;
import dev.rill.inventory.store.StockStore;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.integration.channel.AbstractMessageChannel;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.ChannelInterceptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An {@code OrderPlaced} entry whose payload is a JSON array, written with a raw {@code XADD} into
 * {@code orders} and read by {@code reserveStock} on the real Redis Streams binder. Spring Cloud
 * Function would split such a payload and never run the function (see
 * {@link dev.rill.inventory.events.JsonArrayPayloadGuard}); it must instead be dead-lettered at the
 * first attempt, naming the reason, with nothing reserved or answered, while well-formed orders
 * on the same binding are answered as usual.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
		"spring.cloud.stream.default-binder=redis",
		"spring.cloud.stream.redis.default.consumer.block-time=200ms",
		"spring.cloud.stream.redis.bindings.reserveStock-in-0.consumer.block-time=200ms",
		"spring.cloud.stream.redis.binder.shutdown-timeout=2s" })
class JsonArrayPayloadTests extends PrivateRedisTest {

	private static final String DLQ = "orders.inventory.dlq";

	/** Stopped (bindings first) before the Redis extension stops the server. */
	private static ConfigurableApplicationContext context;

	@Autowired
	StringRedisTemplate redisTemplate;

	@Autowired
	StockStore stock;

	@Autowired
	@Qualifier("reserveStock-in-0")
	AbstractMessageChannel input;

	final AtomicInteger attempts = new AtomicInteger();

	final ChannelInterceptor attemptCounter = new ChannelInterceptor() {
		@Override
		public Message<?> preSend(Message<?> message, MessageChannel channel) {
			JsonArrayPayloadTests.this.attempts.incrementAndGet();
			return message;
		}
	};

	@BeforeEach
	void setUp(@Autowired ConfigurableApplicationContext applicationContext) {
		context = applicationContext;
		// Not FLUSHALL: the binding's consumer group on orders must stay.
		this.redisTemplate.delete(List.of("stock", DLQ));
		this.redisTemplate.delete(this.redisTemplate.keys("inventory:*"));
		this.stock.setAvailable("apple", 10);
		// First, so that it counts the attempts the guard refuses too.
		this.input.addInterceptor(0, this.attemptCounter);
	}

	@AfterEach
	void stopCounting() {
		this.input.removeInterceptor(this.attemptCounter);
	}

	@AfterAll
	static void stopBindingsWhileRedisRuns() {
		if (context != null) {
			context.stop();
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "[ORDER]", "[1,2]", " \n[]" })
	void aJsonArrayPayloadIsDeadLetteredAtTheFirstAttemptNamingTheReason(String template) {
		String payload = template.replace("ORDER", ReserveStockFunctionTests.orderPlacedJson("o-array",
				Map.of("apple", 1)).strip());

		RecordId id = xadd(payload, "o-array");

		Map<Object, Object> deadLetter = await("dead letter of " + id).atMost(Duration.ofSeconds(30))
			.until(() -> deadLetter(id), Optional::isPresent)
			.get();
		assertThat(deadLetter).containsEntry("payload", payload)
			.containsEntry("eventType", "OrderPlaced")
			.containsEntry("x-exception-fqcn", UnreadableEventException.class.getName())
			.containsEntry("x-exception-message", "Unreadable OrderPlaced payload (" + payload.length()
					+ " bytes): a JSON array, but an event is one JSON object")
			.containsEntry("x-delivery-count", "1");
		// The shared configuration allows 3 attempts: this one was not retried.
		assertThat(this.attempts).hasValue(1);
		await("acknowledged").atMost(Duration.ofSeconds(10)).until(() -> pending() == 0);
		assertThat(this.redisTemplate.hasKey("stock")).isFalse();
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 10, 0));
	}

	@Test
	void anOrderPlacedObjectIsStillAnswered() {
		xadd(ReserveStockFunctionTests.orderPlacedJson("o-object", Map.of("apple", 2)), "o-object");

		await("StockReserved on stock").atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.redisTemplate.opsForStream().range("stock", Range.unbounded()))
				.singleElement()
				.satisfies(entry -> assertThat(entry.getValue()).containsEntry("eventType", "StockReserved")
					.containsEntry("orderId", "o-object")));
		assertThat(this.attempts).hasValue(1);
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 8, 2));
		assertThat(this.redisTemplate.hasKey(DLQ)).isFalse();
	}

	/** The fields order-app writes for an {@code OrderPlaced} (see e2e {@code PoisonEventTests}). */
	private RecordId xadd(String payload, String orderId) {
		return this.redisTemplate.opsForStream()
			.add(MapRecord.create("orders", Map.of("payload", payload, "contentType", "application/json", "eventType",
					"OrderPlaced", "eventVersion", "1", "orderId", orderId, "correlationId", "corr-" + orderId)));
	}

	private Optional<Map<Object, Object>> deadLetter(RecordId id) {
		List<MapRecord<String, Object, Object>> entries = this.redisTemplate.opsForStream()
			.range(DLQ, Range.unbounded());
		return entries.stream()
			.map(MapRecord::getValue)
			.filter(fields -> id.getValue().equals(fields.get("x-original-entry-id")))
			.findFirst();
	}

	private long pending() {
		return this.redisTemplate.opsForStream().pending("orders", "inventory").getTotalPendingMessages();
	}

}
