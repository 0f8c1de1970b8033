package dev.rill.order.saga;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.rill.order.AttemptCounter;
import dev.rill.order.OrderAppTest;
import dev.rill.order.events.OrderLine;
import dev.rill.order.events.UnreadableEventException;
import dev.rill.order.store.OrderReadModel;
import dev.rill.order.store.OrderRecord;
import dev.rill.order.store.OrderStatus;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.cloud.stream.config.BindingServiceProperties;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;

import static dev.rill.order.EventMessages.event;
import static dev.rill.order.EventMessages.orderPlaced;
import static dev.rill.order.EventMessages.stockRejected;
import static dev.rill.order.EventMessages.stockReserved;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The projection {@code projectOrder} (orders to the read model): the read model can be rebuilt
 * from the streams, and replaying never undoes a decision.
 */
class ProjectOrderTests extends OrderAppTest {

	@Autowired
	OrderReadModel readModel;

	@Autowired
	BindingServiceProperties bindings;

	@Autowired
	@Qualifier("projectOrder-in-0")
	MessageChannel projectOrderInput;

	@Test
	void orderPlacedCreatesThePlacedRecord() {
		String orderId = UUID.randomUUID().toString();

		this.input.send(orderPlaced(orderId, "c-1", "2024-05-01T08:00:00Z", "corr-p1"), "orders");

		assertThat(this.readModel.find(orderId)).contains(new OrderRecord(orderId, OrderStatus.PLACED, null, "c-1",
				"c-1@example.com", List.of(new OrderLine("apple", 3)), Instant.parse("2024-05-01T08:00:00Z")));
	}

	@Test
	void replayingBothStreamsIntoAnEmptyRedisRebuildsTheReadModel() {
		String confirmed = UUID.randomUUID().toString();
		String rejected = UUID.randomUUID().toString();
		String pending = UUID.randomUUID().toString();
		List<Message<byte[]>> orders = List.of(orderPlaced(confirmed, "c-1", "2024-05-01T08:00:00Z", "corr-a"),
				orderPlaced(rejected, "c-2", "2024-05-01T08:00:01Z", "corr-b"),
				orderPlaced(pending, "c-3", "2024-05-01T08:00:02Z", "corr-c"));
		List<Message<byte[]>> stock = List.of(stockReserved("s-1", confirmed, "corr-a"),
				stockRejected("s-2", rejected, "out of stock: apple", "corr-b"));

		replay(orders, stock);
		List<OrderRecord> live = records(confirmed, rejected, pending);
		assertThat(live).extracting(OrderRecord::status)
			.containsExactly(OrderStatus.CONFIRMED, OrderStatus.REJECTED, OrderStatus.PLACED);

		redis.flushAll();
		this.output.clear();
		replay(orders, stock);

		List<OrderRecord> rebuilt = records(confirmed, rejected, pending);
		assertThat(rebuilt).usingRecursiveFieldByFieldElementComparatorIgnoringFields("updatedAt").isEqualTo(live);
		assertThat(rebuilt.get(1).reason()).isEqualTo("out of stock: apple");
		assertThat(this.errors.errors).isEmpty();
	}

	@Test
	void aReplayedOrderPlacedNeverDowngradesADecidedOrder() {
		String orderId = UUID.randomUUID().toString();
		Message<byte[]> placed = orderPlaced(orderId, "c-1", "2024-05-01T08:00:00Z", "corr-d");
		this.input.send(placed, "orders");
		this.input.send(stockReserved("s-9", orderId, "corr-d"), "stock");
		OrderRecord decided = this.readModel.find(orderId).orElseThrow();

		this.input.send(placed, "orders");

		assertThat(this.readModel.find(orderId)).contains(decided);
		assertThat(decided.status()).isEqualTo(OrderStatus.CONFIRMED);
	}

	@Test
	void anUnknownEventTypeOnOrdersIsRejected() {
		String orderId = UUID.randomUUID().toString();
		String payload = """
				{"eventId":"e-1","orderId":"%s","customerId":"c","email":"c@example.com","items":[],
				 "occurredAt":"2024-05-01T08:00:00Z"}
				""".formatted(orderId);

		this.input.send(event(payload, "OrderCancelled", "1", "corr-e"), "orders");

		assertThat(this.readModel.find(orderId)).isEmpty();
		assertThat(this.errors.rootCauses()).singleElement(InstanceOfAssertFactories.THROWABLE)
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("Unknown eventType 'OrderCancelled'");
		assertThat(this.bindings.getConsumerProperties("projectOrder-in-0").getRetryableExceptions())
			.containsEntry(IllegalArgumentException.class, false);
	}

	@Test
	void aPayloadThatIsNotJsonIsRejectedAtTheFirstAttemptNamingTheReason() {
		String orderId = UUID.randomUUID().toString();
		String truncated = "{\"eventId\":\"e-1\",\"orderId\":\"" + orderId + "\",\"items\":[{\"sku\":";

		try (AttemptCounter counter = AttemptCounter.on(this.projectOrderInput)) {
			this.input.send(event(truncated, "OrderPlaced", "1", "corr-u"), "orders");

			assertThat(this.errors.rootCauses()).singleElement(InstanceOfAssertFactories.THROWABLE)
				.isInstanceOf(UnreadableEventException.class)
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessageStartingWith("Unreadable OrderPlaced payload (" + truncated.length() + " bytes)");
			assertThat(counter.attempts()).as("attempts (the binding allows 3)").isEqualTo(1);
		}
		assertThat(this.readModel.find(orderId)).isEmpty();
	}

	private void replay(List<Message<byte[]>> orders, List<Message<byte[]>> stock) {
		orders.forEach(message -> this.input.send(message, "orders"));
		stock.forEach(message -> this.input.send(message, "stock"));
	}

	private List<OrderRecord> records(String... orderIds) {
		return List.of(orderIds).stream().map(id -> this.readModel.find(id).orElseThrow()).toList();
	}

}
