package dev.rill.inventory.reservation;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.binder.test.InputDestination;
import org.springframework.cloud.stream.binder.test.OutputDestination;
import org.springframework.cloud.stream.binder.test.TestChannelBinderConfiguration;
import org.springframework.cloud.stream.config.BindingServiceProperties;
import org.springframework.context.annotation.Import;
import org.springframework.integration.channel.AbstractMessageChannel;
import org.springframework.integration.channel.PublishSubscribeChannel;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.ErrorMessage;
import org.springframework.messaging.support.MessageBuilder;

import dev.rill.inventory.PrivateRedisTest;
import dev.rill.inventory.events.UnreadableEventException;
import dev.rill.inventory.store.StockLevel;
import dev.rill.inventory.store.StockStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code reserveStock} function, bound to {@code orders} and {@code stock} by Spring
 * Cloud Stream's test binder, with its stock on a real Redis.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = "spring.cloud.stream.default-binder=" + TestChannelBinderConfiguration.NAME)
@Import(TestChannelBinderConfiguration.class)
class ReserveStockFunctionTests extends PrivateRedisTest {

	static final long RECEIVE_TIMEOUT = 2000;

	@Autowired
	InputDestination input;

	@Autowired
	OutputDestination output;

	@Autowired
	StockStore stock;

	@Autowired
	ObjectMapper json;

	@Autowired
	BindingServiceProperties bindings;

	@Autowired
	@Qualifier("reserveStock-in-0")
	MessageChannel functionInput;

	@Autowired
	@Qualifier("errorChannel")
	PublishSubscribeChannel errorChannel;

	final List<ErrorMessage> errors = new CopyOnWriteArrayList<>();

	final MessageHandler errorCollector = (message) -> this.errors.add((ErrorMessage) message);

	@BeforeEach
	void clean() {
		redis.flushAll();
		this.output.clear();
		this.errorChannel.subscribe(this.errorCollector);
	}

	@AfterEach
	void stopCollecting() {
		this.errorChannel.unsubscribe(this.errorCollector);
	}

	@Test
	void reservesTheStockAndEmitsStockReserved() throws Exception {
		this.stock.setAvailable("apple", 10);
		this.stock.setAvailable("pear", 5);
		String eventJson = orderPlacedJson("o-1", Map.of("apple", 3, "pear", 5));

		this.input.send(orderPlaced("o-1", eventJson), "orders");

		Message<byte[]> answer = receiveAnswer();
		assertThat(answer.getHeaders().get("eventType")).isEqualTo("StockReserved");
		JsonNode event = this.json.readTree(answer.getPayload());
		assertThat(event.get("orderId").asText()).isEqualTo("o-1");
		assertThat(UUID.fromString(event.get("eventId").asText())).isNotNull();
		assertThat(Instant.parse(event.get("occurredAt").asText())).isNotNull();
		assertThat(event.has("reason")).isFalse();
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 7, 3));
		assertThat(this.stock.find("pear")).contains(new StockLevel("pear", 0, 5));
	}

	@Test
	void rejectsAnOrderWithAnUnknownSku() throws Exception {
		this.stock.setAvailable("apple", 10);

		this.input.send(orderPlaced("o-1", orderPlacedJson("o-1", Map.of("apple", 1, "kiwi", 1))), "orders");

		Message<byte[]> answer = receiveAnswer();
		assertThat(answer.getHeaders().get("eventType")).isEqualTo("StockRejected");
		JsonNode event = this.json.readTree(answer.getPayload());
		assertThat(event.get("orderId").asText()).isEqualTo("o-1");
		assertThat(event.get("reason").asText()).isEqualTo("unknown sku kiwi");
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 10, 0));
	}

	@Test
	void rejectsInsufficientStockAndLeavesTheStockOfEveryItemUntouched() throws Exception {
		this.stock.setAvailable("apple", 10);
		this.stock.setAvailable("pear", 2);

		this.input.send(orderPlaced("o-1", orderPlacedJson("o-1", Map.of("apple", 5, "pear", 3))), "orders");

		Message<byte[]> answer = receiveAnswer();
		assertThat(answer.getHeaders().get("eventType")).isEqualTo("StockRejected");
		assertThat(this.json.readTree(answer.getPayload()).get("reason").asText())
			.isEqualTo("insufficient stock for sku pear: requested 3, available 2");
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 10, 0));
		assertThat(this.stock.find("pear")).contains(new StockLevel("pear", 2, 0));
	}

	@Test
	void linesOfTheSameSkuAreReservedAgainstTheirTotal() throws Exception {
		this.stock.setAvailable("apple", 5);
		String eventJson = """
				{"eventId":"%s","orderId":"o-1","customerId":"c-1","email":"c@example.com",
				 "items":[{"sku":"apple","quantity":3},{"sku":"apple","quantity":3}],
				 "occurredAt":"2025-01-02T03:04:05Z"}
				""".formatted(UUID.randomUUID());

		this.input.send(orderPlaced("o-1", eventJson), "orders");

		Message<byte[]> answer = receiveAnswer();
		assertThat(this.json.readTree(answer.getPayload()).get("reason").asText())
			.isEqualTo("insufficient stock for sku apple: requested 6, available 5");
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 5, 0));
	}

	@Test
	void aRedeliveredOrderPlacedReservesOnceAndIsAnsweredWithTheSameEventId() throws Exception {
		this.stock.setAvailable("apple", 10);
		Message<byte[]> orderPlaced = orderPlaced("o-1", orderPlacedJson("o-1", Map.of("apple", 4)));

		this.input.send(orderPlaced, "orders");
		Message<byte[]> first = receiveAnswer();
		this.input.send(orderPlaced, "orders");
		Message<byte[]> second = receiveAnswer();

		assertThat(second.getHeaders().get("eventType")).isEqualTo("StockReserved");
		assertThat(this.json.readTree(second.getPayload())).isEqualTo(this.json.readTree(first.getPayload()));
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 6, 4));
	}

	@Test
	void theAnswerCarriesTheIncomingCorrelationIdAndTheEventHeaders() throws Exception {
		this.stock.setAvailable("apple", 10);
		Message<byte[]> orderPlaced = MessageBuilder.fromMessage(orderPlaced("o-1", orderPlacedJson("o-1",
				Map.of("apple", 1))))
			.setHeader("correlationId", "corr-42")
			.build();

		this.input.send(orderPlaced, "orders");

		Message<byte[]> answer = receiveAnswer();
		assertThat(answer.getHeaders()).containsEntry("correlationId", "corr-42")
			.containsEntry("eventType", "StockReserved")
			.containsEntry("eventVersion", "1")
			.containsEntry("orderId", "o-1");
		assertThat(answer.getHeaders().get("contentType").toString()).startsWith("application/json");
	}

	@Test
	void aVersion2OrderPlacedWithAnAddedFieldIsAccepted() throws Exception {
		this.stock.setAvailable("apple", 10);
		String v2 = """
				{"eventId":"%s","orderId":"o-1","customerId":"c-1","email":"c@example.com",
				 "items":[{"sku":"apple","quantity":2,"giftWrap":true}],
				 "occurredAt":"2025-01-02T03:04:05Z","channel":"mobile"}
				""".formatted(UUID.randomUUID());
		Message<byte[]> orderPlaced = MessageBuilder.fromMessage(orderPlaced("o-1", v2))
			.setHeader("eventVersion", 2)
			.build();

		this.input.send(orderPlaced, "orders");

		assertThat(receiveAnswer().getHeaders().get("eventType")).isEqualTo("StockReserved");
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 8, 2));
	}

	@Test
	void anUnknownEventTypeIsRejectedWithoutRetryAndAnswersNothing() {
		this.stock.setAvailable("apple", 10);
		AtomicInteger attempts = countAttempts();
		Message<byte[]> shipped = MessageBuilder.fromMessage(orderPlaced("o-1", orderPlacedJson("o-1",
				Map.of("apple", 1))))
			.setHeader("eventType", "OrderShipped")
			.build();

		this.input.send(shipped, "orders");

		await().untilAsserted(() -> assertThat(this.errors).hasSize(1));
		assertThat(rootCause(this.errors.get(0).getPayload())).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("OrderShipped");
		// Shared config allows 3 attempts: this one was not retried, so it is dead-lettered at once.
		assertThat(attempts).hasValue(1);
		assertThat(this.output.receive(200, "stock")).isNull();
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 10, 0));
	}

	@Test
	void anUnknownEventVersionIsRejectedWithoutRetryAndAnswersNothing() {
		this.stock.setAvailable("apple", 10);
		AtomicInteger attempts = countAttempts();
		Message<byte[]> v3 = MessageBuilder.fromMessage(orderPlaced("o-1", orderPlacedJson("o-1", Map.of("apple", 1))))
			.setHeader("eventVersion", "3")
			.build();

		this.input.send(v3, "orders");

		await().untilAsserted(() -> assertThat(this.errors).hasSize(1));
		assertThat(rootCause(this.errors.get(0).getPayload())).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("eventVersion '3'");
		assertThat(attempts).hasValue(1);
		assertThat(this.output.receive(200, "stock")).isNull();
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 10, 0));
	}

	@Test
	void anOrderPlacedWithoutOrderIdIsRejectedWithoutRetryAndAnswersNothing() {
		AtomicInteger attempts = countAttempts();
		String withoutOrderId = """
				{"eventId":"e-1","items":[{"sku":"apple","quantity":1}],"occurredAt":"2025-01-02T03:04:05Z"}
				""";

		this.input.send(orderPlaced("o-1", withoutOrderId), "orders");

		await().untilAsserted(() -> assertThat(this.errors).hasSize(1));
		assertThat(rootCause(this.errors.get(0).getPayload())).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("has no orderId");
		assertThat(attempts).hasValue(1);
		assertThat(this.output.receive(200, "stock")).isNull();
	}

	@Test
	void aPayloadThatIsNotJsonIsRejectedAtTheFirstAttemptNamingTheReason() {
		assertUnreadableIsRejectedAtOnce("{\"eventId\":\"e-1\",\"orderId\":\"o-1\",\"items\":[{\"sku\":");
	}

	@Test
	void jsonThatIsNotAnOrderPlacedIsRejectedAtTheFirstAttempt() {
		assertUnreadableIsRejectedAtOnce("\"an order\"");
	}

	/** An unreadable payload is never retried: the shared configuration's 3 attempts are not used. */
	private void assertUnreadableIsRejectedAtOnce(String payload) {
		this.stock.setAvailable("apple", 10);
		AtomicInteger attempts = countAttempts();

		this.input.send(orderPlaced("o-1", payload), "orders");

		await().untilAsserted(() -> assertThat(this.errors).hasSize(1));
		assertThat(rootCause(this.errors.get(0).getPayload())).isInstanceOf(UnreadableEventException.class)
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("Unreadable OrderPlaced payload (" + payload.length()
					+ " bytes): not JSON, or not the JSON of OrderPlaced");
		assertThat(attempts).hasValue(1);
		assertThat(this.output.receive(200, "stock")).isNull();
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 10, 0));
	}

	@Test
	void anOrderWithoutItemsIsRejectedOnceWithTheSameEventId() throws Exception {
		Message<byte[]> empty = orderPlaced("o-1", orderPlacedJson("o-1", Map.of()));

		this.input.send(empty, "orders");
		Message<byte[]> first = receiveAnswer();
		this.input.send(empty, "orders");
		Message<byte[]> second = receiveAnswer();

		assertThat(first.getHeaders().get("eventType")).isEqualTo("StockRejected");
		JsonNode event = this.json.readTree(first.getPayload());
		assertThat(event.get("reason").asText()).isEqualTo("order has no items");
		assertThat(this.json.readTree(second.getPayload())).isEqualTo(event);
	}

	@Test
	void anItemWithAQuantityBelowOneRejectsTheOrderAndReservesNothing() throws Exception {
		this.stock.setAvailable("apple", 10);
		this.stock.setAvailable("pear", 10);

		this.input.send(orderPlaced("o-1", orderPlacedJson("o-1", Map.of("apple", 2, "pear", -1))), "orders");

		Message<byte[]> answer = receiveAnswer();
		assertThat(answer.getHeaders().get("eventType")).isEqualTo("StockRejected");
		assertThat(this.json.readTree(answer.getPayload()).get("reason").asText())
			.isEqualTo("invalid quantity for sku pear: -1");
		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 10, 0));
		assertThat(this.stock.find("pear")).contains(new StockLevel("pear", 10, 0));
	}

	@Test
	void theBindingDoesNotRetryIllegalArgumentException() {
		assertThat(this.bindings.getConsumerProperties("reserveStock-in-0").getRetryableExceptions())
			.containsEntry(IllegalArgumentException.class, false);
	}

	@Test
	void logLinesCarryCorrelationIdAndOrderIdAndTheMdcIsClearedAfterwards() {
		this.stock.setAvailable("apple", 10);
		Logger logger = (Logger) LoggerFactory.getLogger(ReserveStock.class);
		ListAppender<ILoggingEvent> appender = new ListAppender<>();
		appender.start();
		logger.addAppender(appender);
		try {
			this.input.send(MessageBuilder.fromMessage(orderPlaced("o-1", orderPlacedJson("o-1", Map.of("apple", 1))))
				.setHeader("correlationId", "corr-7")
				.build(), "orders");
			receiveAnswer();
		}
		finally {
			logger.detachAppender(appender);
		}

		assertThat(appender.list).isNotEmpty()
			.allSatisfy((event) -> assertThat(event.getMDCPropertyMap()).containsEntry("correlationId", "corr-7")
				.containsEntry("orderId", "o-1"));
		// The test binder delivers on this thread: what the function put in the MDC is gone.
		assertThat(MDC.get("correlationId")).isNull();
		assertThat(MDC.get("orderId")).isNull();
	}

	private AtomicInteger countAttempts() {
		AtomicInteger attempts = new AtomicInteger();
		((AbstractMessageChannel) this.functionInput).addInterceptor(new ChannelInterceptor() {
			@Override
			public Message<?> preSend(Message<?> message, MessageChannel channel) {
				attempts.incrementAndGet();
				return message;
			}
		});
		return attempts;
	}

	private Message<byte[]> receiveAnswer() {
		Message<byte[]> answer = this.output.receive(RECEIVE_TIMEOUT, "stock");
		assertThat(answer).as("an answer on destination stock").isNotNull();
		return answer;
	}

	private static Throwable rootCause(Throwable throwable) {
		Throwable cause = throwable;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause;
	}

	static String orderPlacedJson(String orderId, Map<String, Integer> items) {
		String lines = String.join(",", items.entrySet()
			.stream()
			.map((item) -> "{\"sku\":\"%s\",\"quantity\":%d}".formatted(item.getKey(), item.getValue()))
			.toList());
		return """
				{"eventId":"%s","orderId":"%s","customerId":"c-1","email":"c@example.com","items":[%s],
				 "occurredAt":"2025-01-02T03:04:05Z"}
				""".formatted(UUID.randomUUID(), orderId, lines);
	}

	static Message<byte[]> orderPlaced(String orderId, String json) {
		return MessageBuilder.withPayload(json.getBytes(StandardCharsets.UTF_8))
			.setHeader("contentType", "application/json")
			.setHeader("eventType", "OrderPlaced")
			.setHeader("eventVersion", "1")
			.setHeader("correlationId", UUID.randomUUID().toString())
			.setHeader("orderId", orderId)
			.build();
	}

}
