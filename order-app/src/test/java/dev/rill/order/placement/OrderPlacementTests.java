package dev.rill.order.placement;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeoutException;

import dev.rill.binder.redis.test.RedisServerExtension;
import dev.rill.order.OrderProperties;
import dev.rill.order.events.OrderLine;
import dev.rill.order.events.OrderPlaced;
import dev.rill.order.store.IdempotencyKeys;
import dev.rill.order.store.OrderReadModel;
import dev.rill.order.store.OrderStatus;
import dev.rill.order.store.RedisStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.ArgumentCaptor;

import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageDeliveryException;
import org.springframework.messaging.support.GenericMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * What a placement does for each outcome of its send, on a real Redis, with the transport
 * replaced by a {@link StreamBridge} that answers as told: a send that failed before being
 * written undoes the order; one that timed out keeps it, bound to its key, and the retry with
 * the key finishes that order with the same event. {@code SendFailureTests} produces the same
 * timeouts with a real Redis bus.
 */
class OrderPlacementTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	static final NewOrder ORDER = new NewOrder("c-7", "ada@example.com", List.of(new OrderLine("apple", 2)));

	/** How the Redis binder reports a send-timeout: Reactor's block(timeout) failure, wrapped. */
	static final RuntimeException TIMED_OUT = new MessageDeliveryException(new GenericMessage<>("order"),
			"Failed to send to stream 'orders': no confirmation within PT1S",
			new IllegalStateException("Timeout on blocking read", new TimeoutException()));

	/** A send the binder refused before writing anything. */
	static final RuntimeException REFUSED = new MessageDeliveryException(new GenericMessage<>("order"),
			"The producer of orders is stopped; the message was not sent");

	RedisStores stores;

	OrderReadModel readModel;

	IdempotencyKeys keys;

	StreamBridge bridge = mock(StreamBridge.class);

	OrderPlacement placement;

	@BeforeEach
	void setUp() {
		redis.flushAll();
		this.stores = new RedisStores(redis);
		OrderProperties properties = RedisStores.properties(Duration.ofMinutes(2));
		this.readModel = this.stores.readModel(properties);
		this.keys = this.stores.idempotencyKeys(properties);
		this.placement = new OrderPlacement(this.readModel, this.keys, new OrderPlacedSender(this.bridge),
				Clock.fixed(Instant.parse("2024-05-01T09:00:00Z"), ZoneOffset.UTC));
	}

	@AfterEach
	void close() {
		this.stores.close();
	}

	@Test
	void aSendThatFailedBeforeWritingUndoesTheOrderAndFreesTheKey() {
		when(this.bridge.send(any(), any())).thenThrow(REFUSED);

		OrderNotPlacedException failure = catchNotPlaced("k");

		assertThat(this.readModel.find(failure.getOrderId())).isEmpty();
		assertThat(this.keys.reserve("k", "next").state()).isEqualTo(IdempotencyKeys.Reservation.State.RESERVED);
	}

	@Test
	void aSendThatTimedOutKeepsTheOrderAndBindsTheKeyToIt() {
		when(this.bridge.send(any(), any())).thenThrow(TIMED_OUT);

		OrderOutcomeUnknownException unknown = catchUnknown("k");

		assertThat(unknown.isRetryable()).isTrue();
		assertThat(this.readModel.find(unknown.getOrderId())).hasValueSatisfying(
				order -> assertThat(order.status()).isEqualTo(OrderStatus.PLACED));
		assertThat(this.keys.reserve("k", "other"))
			.isEqualTo(new IdempotencyKeys.Reservation(IdempotencyKeys.Reservation.State.UNKNOWN, unknown.getOrderId()));
	}

	@Test
	void theRetryWithTheKeySendsTheSameEventAgainAndAnswersWithTheSameOrder() {
		when(this.bridge.send(any(), any())).thenThrow(TIMED_OUT).thenReturn(true);
		String orderId = catchUnknown("k").getOrderId();

		PlacedOrder retried = this.placement.place(ORDER, "k", "corr-2");

		assertThat(retried).isEqualTo(new PlacedOrder(orderId, true));
		List<OrderPlaced> sent = sentEvents(2);
		assertThat(sent.get(1)).as("the same event, same id and time").isEqualTo(sent.get(0));
		assertThat(sent.get(0).orderId()).isEqualTo(orderId);
		assertThat(this.placement.place(ORDER, "k", "corr-3")).isEqualTo(new PlacedOrder(orderId, true));
		sentEvents(2);
	}

	@Test
	void aRetryWhoseSendTimesOutAgainIsStillUnknownForTheSameOrder() {
		when(this.bridge.send(any(), any())).thenThrow(TIMED_OUT);
		String orderId = catchUnknown("k").getOrderId();

		assertThat(catchUnknown("k").getOrderId()).isEqualTo(orderId);
		doThrow(REFUSED).when(this.bridge).send(any(), any());
		assertThat(catchUnknown("k").getOrderId()).as("a refusal now cannot undo a send that may be written")
			.isEqualTo(orderId);
		assertThat(this.readModel.find(orderId)).isPresent();
	}

	@Test
	void aRetryForAnOrderAlreadyDecidedSendsNothingAndAnswersWithIt() {
		when(this.bridge.send(any(), any())).thenThrow(TIMED_OUT);
		String orderId = catchUnknown("k").getOrderId();
		// The event was written after all: inventory answered, and the order was confirmed.
		this.readModel.decide(orderId, "stock-1", OrderStatus.CONFIRMED, null, Instant.now());

		assertThat(this.placement.place(ORDER, "k", "corr-2")).isEqualTo(new PlacedOrder(orderId, true));

		verify(this.bridge, times(1)).send(eq(OrderPlacedSender.BINDING), any());
	}

	@Test
	void withoutAKeyATimedOutOrderIsKeptAndTheAnswerSaysARetryIsNotSafe() {
		when(this.bridge.send(any(), any())).thenThrow(TIMED_OUT);

		OrderOutcomeUnknownException unknown = catchUnknown(null);

		assertThat(unknown.isRetryable()).isFalse();
		assertThat(this.readModel.find(unknown.getOrderId())).isPresent();
	}

	@Test
	void aConfirmedSendIsPlacedAndNeverSentAgain() {
		when(this.bridge.send(any(), any())).thenReturn(true);

		PlacedOrder placed = this.placement.place(ORDER, "k", "corr-1");

		assertThat(this.placement.place(ORDER, "k", "corr-2")).isEqualTo(new PlacedOrder(placed.orderId(), true));
		verify(this.bridge, times(1)).send(eq(OrderPlacedSender.BINDING), any());
		verify(this.bridge, never()).send(eq("other"), any());
	}

	private OrderOutcomeUnknownException catchUnknown(String key) {
		return catchThrowableOfType(OrderOutcomeUnknownException.class, key);
	}

	private OrderNotPlacedException catchNotPlaced(String key) {
		return catchThrowableOfType(OrderNotPlacedException.class, key);
	}

	private <T extends RuntimeException> T catchThrowableOfType(Class<T> type, String key) {
		return assertThatExceptionOfType(type).isThrownBy(() -> this.placement.place(ORDER, key, "corr-1"))
			.actual();
	}

	@SuppressWarnings("unchecked")
	private List<OrderPlaced> sentEvents(int expected) {
		ArgumentCaptor<Message<OrderPlaced>> messages = ArgumentCaptor.forClass(Message.class);
		verify(this.bridge, times(expected)).send(eq(OrderPlacedSender.BINDING), messages.capture());
		return messages.getAllValues().stream().map(Message::getPayload).toList();
	}

}
