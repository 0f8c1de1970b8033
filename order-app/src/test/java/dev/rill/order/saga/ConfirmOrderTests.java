package dev.rill.order.saga;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rill.order.AttemptCounter;
import dev.rill.order.OrderAppTest;
import dev.rill.order.TickingClock;
import dev.rill.order.events.OrderLine;
import dev.rill.order.events.UnreadableEventException;
import dev.rill.order.store.OrderReadModel;
import dev.rill.order.store.OrderRecord;
import dev.rill.order.store.OrderStatus;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.cloud.stream.config.BindingServiceProperties;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;

import static dev.rill.order.EventMessages.event;
import static dev.rill.order.EventMessages.stockRejected;
import static dev.rill.order.EventMessages.stockReserved;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The saga step {@code confirmOrder} (stock to order-status) with the test binder and a real
 * Redis read model.
 */
class ConfirmOrderTests extends OrderAppTest {

	@Autowired
	OrderReadModel readModel;

	@Autowired
	ObjectMapper json;

	@Autowired
	BindingServiceProperties bindings;

	@Autowired
	@Qualifier("confirmOrder-in-0")
	MessageChannel confirmOrderInput;

	String orderId;

	@BeforeEach
	void placedOrder() {
		this.orderId = UUID.randomUUID().toString();
		this.readModel.createIfAbsent(OrderRecord.placed(this.orderId, "c-7", "ada@example.com",
				List.of(new OrderLine("apple", 2)), Instant.parse("2024-05-01T09:00:00Z")));
	}

	@Test
	void stockReservedConfirmsTheOrderAndEmitsOrderConfirmed() throws Exception {
		this.input.send(stockReserved(UUID.randomUUID().toString(), this.orderId, "corr-1"), "stock");

		Message<byte[]> emitted = this.output.receive(1000, "order-status");
		assertThat(emitted).isNotNull();
		assertThat(emitted.getHeaders()).containsEntry("eventType", "OrderConfirmed")
			.containsEntry("eventVersion", "1")
			.containsEntry("correlationId", "corr-1")
			.containsEntry("orderId", this.orderId);
		JsonNode event = this.json.readTree(emitted.getPayload());
		OrderRecord order = this.readModel.find(this.orderId).orElseThrow();
		assertThat(order.status()).isEqualTo(OrderStatus.CONFIRMED);
		assertThat(order.reason()).isNull();
		assertThat(event.get("orderId").asText()).isEqualTo(this.orderId);
		assertThat(UUID.fromString(event.get("eventId").asText())).isNotNull();
		assertThat(event.get("customerId").asText()).isEqualTo("c-7");
		assertThat(event.get("email").asText()).isEqualTo("ada@example.com");
		assertThat(Instant.parse(event.get("occurredAt").asText())).isEqualTo(order.updatedAt());
		assertThat(event.has("reason")).isFalse();
		assertThat(this.errors.errors).isEmpty();
	}

	@Test
	void stockRejectedRejectsTheOrderWithTheReasonAndEmitsOrderRejected() throws Exception {
		this.input.send(stockRejected(UUID.randomUUID().toString(), this.orderId, "out of stock: apple", "corr-2"),
				"stock");

		Message<byte[]> emitted = this.output.receive(1000, "order-status");
		assertThat(emitted.getHeaders()).containsEntry("eventType", "OrderRejected")
			.containsEntry("eventVersion", "1")
			.containsEntry("correlationId", "corr-2")
			.containsEntry("orderId", this.orderId);
		JsonNode event = this.json.readTree(emitted.getPayload());
		assertThat(event.get("reason").asText()).isEqualTo("out of stock: apple");
		assertThat(event.get("email").asText()).isEqualTo("ada@example.com");
		OrderRecord order = this.readModel.find(this.orderId).orElseThrow();
		assertThat(order.status()).isEqualTo(OrderStatus.REJECTED);
		assertThat(order.reason()).isEqualTo("out of stock: apple");
	}

	@Test
	void aStockEventRedeliveredTwiceChangesTheOrderOnceAndReEmitsAnEqualEvent() {
		Message<byte[]> reserved = stockReserved(UUID.randomUUID().toString(), this.orderId, "corr-3");

		this.input.send(reserved, "stock");
		Message<byte[]> first = this.output.receive(1000, "order-status");
		OrderRecord afterFirst = this.readModel.find(this.orderId).orElseThrow();
		this.input.send(reserved, "stock");
		Message<byte[]> second = this.output.receive(1000, "order-status");
		this.input.send(reserved, "stock");
		Message<byte[]> third = this.output.receive(1000, "order-status");

		// The clock ticks on every read: a second change would have moved updatedAt.
		assertThat(this.readModel.find(this.orderId)).contains(afterFirst);
		for (Message<byte[]> again : List.of(second, third)) {
			assertThat(new String(again.getPayload())).isEqualTo(new String(first.getPayload()));
			assertThat(again.getHeaders()).containsEntry("eventType", "OrderConfirmed")
				.containsEntry("correlationId", "corr-3")
				.containsEntry("orderId", this.orderId);
		}
		assertThat(this.output.receive(100, "order-status")).isNull();
	}

	@Test
	void aContradictingSecondAnswerChangesNothingAndRepeatsTheOutcome() {
		this.input.send(stockReserved(UUID.randomUUID().toString(), this.orderId, "corr-4"), "stock");
		Message<byte[]> confirmed = this.output.receive(1000, "order-status");

		this.input.send(stockRejected(UUID.randomUUID().toString(), this.orderId, "late", "corr-4"), "stock");
		Message<byte[]> answer = this.output.receive(1000, "order-status");

		assertThat(this.readModel.find(this.orderId).orElseThrow().status()).isEqualTo(OrderStatus.CONFIRMED);
		assertThat(answer.getHeaders()).containsEntry("eventType", "OrderConfirmed");
		assertThat(new String(answer.getPayload())).isEqualTo(new String(confirmed.getPayload()));
	}

	@Test
	void withoutCorrelationIdTheEventGetsANewOne() {
		this.input.send(stockReserved(UUID.randomUUID().toString(), this.orderId, null), "stock");

		Object correlationId = this.output.receive(1000, "order-status").getHeaders().get("correlationId");
		assertThat(UUID.fromString(String.valueOf(correlationId))).hasToString(String.valueOf(correlationId));
	}

	@Test
	void aVersion2PayloadWithAnAddedFieldIsAccepted() throws Exception {
		String v2 = """
				{"eventId":"%s","orderId":"%s","occurredAt":"2024-05-01T10:00:00Z","warehouse":{"id":"north"},
				 "reservedUntil":"2024-05-02T10:00:00Z"}
				""".formatted(UUID.randomUUID(), this.orderId);
		this.input.send(event(v2, "StockReserved", 2, "corr-5"), "stock");

		Message<byte[]> emitted = this.output.receive(1000, "order-status");
		assertThat(emitted.getHeaders()).containsEntry("eventType", "OrderConfirmed")
			.containsEntry("correlationId", "corr-5");
		assertThat(this.readModel.find(this.orderId).orElseThrow().status()).isEqualTo(OrderStatus.CONFIRMED);
		assertThat(this.errors.errors).isEmpty();
	}

	@Test
	void anUnknownEventTypeIsRejectedWithoutRetries() {
		String payload = """
				{"eventId":"%s","orderId":"%s","occurredAt":"2024-05-01T10:00:00Z"}
				""".formatted(UUID.randomUUID(), this.orderId);
		this.input.send(event(payload, "StockCounted", "1", "corr-6"), "stock");

		assertThat(this.output.receive(200, "order-status")).isNull();
		assertThat(this.readModel.find(this.orderId).orElseThrow().status()).isEqualTo(OrderStatus.PLACED);
		assertThat(this.errors.rootCauses()).singleElement(InstanceOfAssertFactories.THROWABLE)
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("Unknown eventType 'StockCounted'");
		assertThat(TickingClock.ticks).as("never got as far as deciding").hasValue(0);
		// Not retried: the binding classifies IllegalArgumentException as not retryable (the
		// missing-order test below shows what a retryable failure goes through).
		assertThat(this.bindings.getConsumerProperties("confirmOrder-in-0").getRetryableExceptions())
			.containsEntry(IllegalArgumentException.class, false);
	}

	@Test
	void anUnknownEventVersionIsRejected() {
		String payload = """
				{"eventId":"%s","orderId":"%s","occurredAt":"2024-05-01T10:00:00Z"}
				""".formatted(UUID.randomUUID(), this.orderId);
		this.input.send(event(payload, "StockReserved", "3", "corr-7"), "stock");

		assertThat(this.output.receive(200, "order-status")).isNull();
		assertThat(this.readModel.find(this.orderId).orElseThrow().status()).isEqualTo(OrderStatus.PLACED);
		assertThat(this.errors.rootCauses()).singleElement(InstanceOfAssertFactories.THROWABLE)
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("Unknown eventVersion '3'");
	}

	@Test
	void aPayloadThatIsNotJsonIsRejectedAtTheFirstAttemptNamingTheReason() {
		try (AttemptCounter counter = AttemptCounter.on(this.confirmOrderInput)) {
			this.input.send(event("not json at all", "StockRejected", "1", "corr-9"), "stock");

			assertThat(this.errors.rootCauses()).singleElement(InstanceOfAssertFactories.THROWABLE)
				.isInstanceOf(UnreadableEventException.class)
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessage("Unreadable StockRejected payload (15 bytes): not JSON, or not the JSON of StockRejected");
			assertThat(counter.attempts()).as("attempts (the binding allows 3)").isEqualTo(1);
		}
		assertThat(this.output.receive(200, "order-status")).isNull();
		assertThat(this.readModel.find(this.orderId).orElseThrow().status()).isEqualTo(OrderStatus.PLACED);
	}

	@Test
	void anOrderMissingFromTheReadModelIsRetriedThenGivenUp() {
		String unknown = UUID.randomUUID().toString();

		try (AttemptCounter counter = AttemptCounter.on(this.confirmOrderInput)) {
			this.input.send(stockReserved(UUID.randomUUID().toString(), unknown, "corr-8"), "stock");
			assertThat(counter.attempts()).as("attempts").isEqualTo(3);
		}

		assertThat(this.output.receive(200, "order-status")).isNull();
		assertThat(this.errors.rootCauses()).singleElement()
			.isInstanceOf(OrderNotYetKnownException.class);
		// Each attempt reads the clock once: max-attempts (3) attempts.
		assertThat(TickingClock.ticks).hasValue(3);
		assertThat(this.readModel.find(unknown)).isEmpty();
	}

}
