package dev.rill.notification.notify;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import dev.rill.notification.Events;
import dev.rill.notification.PrivateRedisTest;
import dev.rill.notification.RecordingChannel;
import dev.rill.notification.RecordingChannelConfiguration;
import dev.rill.notification.channel.GuardedChannel;
import dev.rill.notification.channel.NotificationRejectedException;
import dev.rill.notification.events.OrderStatus;
import dev.rill.notification.events.OrderStatusEvent;
import dev.rill.notification.store.NotificationStore;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.binder.test.InputDestination;
import org.springframework.cloud.stream.binder.test.TestChannelBinderConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.messaging.Message;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The {@code notify} function on Spring Cloud Stream's test binder (the real binders stay
 * unused), with the store on a real Redis and a {@link RecordingChannel} as the channel.
 */
@SpringBootTest(properties = { "spring.cloud.stream.default-binder=" + TestChannelBinderConfiguration.NAME,
		"resilience4j.retry.instances.notificationChannel.wait-duration=10ms",
		"resilience4j.retry.instances.notificationChannel.exponential-max-wait-duration=20ms" })
@Import({ TestChannelBinderConfiguration.class, RecordingChannelConfiguration.class })
@AutoConfigureMockMvc
class NotifyConsumerTests extends PrivateRedisTest {

	@Autowired
	private InputDestination input;

	@Autowired
	private RecordingChannel channel;

	@Autowired
	private NotificationStore store;

	@Autowired
	private CircuitBreakerRegistry breakers;

	@Autowired
	@Qualifier("notify")
	private Consumer<Message<OrderStatusEvent>> notify;

	@Autowired
	private MockMvc mvc;

	@BeforeEach
	void clean() {
		redis.flushAll();
		this.channel.reset();
		this.breakers.circuitBreaker(GuardedChannel.INSTANCE).reset();
		MDC.clear();
	}

	@Test
	void confirmedOrderIsNotifiedOnceAndRecorded() {
		this.input.send(Events.confirmed("o-1", "corr-1"), "order-status");

		assertThat(this.channel.accepted()).hasSize(1);
		Notice notice = this.channel.accepted().get(0).notice();
		assertThat(notice.orderId()).isEqualTo("o-1");
		assertThat(notice.status()).isEqualTo(OrderStatus.CONFIRMED);
		assertThat(notice.email()).isEqualTo("ann@example.com");
		assertThat(notice.reason()).isNull();
		assertThat(this.store.isSent("o-1", OrderStatus.CONFIRMED)).isTrue();
		assertThat(this.store.findByOrderId("o-1")).singleElement().satisfies(sent -> {
			assertThat(sent.status()).isEqualTo(OrderStatus.CONFIRMED);
			assertThat(sent.channel()).isEqualTo("test");
			assertThat(sent.email()).isEqualTo("ann@example.com");
			assertThat(sent.sentAt()).isNotNull();
		});
	}

	@Test
	void redeliveredEventSendsNothing() {
		Message<byte[]> event = Events.confirmed("o-2", "corr-2");

		this.input.send(event, "order-status");
		this.input.send(event, "order-status");

		assertThat(this.channel.acceptedOrderIds()).containsExactly("o-2");
		assertThat(this.store.findByOrderId("o-2")).hasSize(1);
	}

	@Test
	void confirmationAndRejectionOfOneOrderAreTwoNotifications() {
		this.input.send(Events.confirmed("o-3", "corr-3"), "order-status");
		this.input.send(Events.message(Events.rejectedJson(UUID.randomUUID(), "o-3", "out of stock"), "OrderRejected",
				1, "corr-3", "o-3"), "order-status");

		assertThat(this.store.findByOrderId("o-3")).extracting(SentNotification::status)
			.containsExactly(OrderStatus.CONFIRMED, OrderStatus.REJECTED);
	}

	@Test
	void rejectedOrderNotificationCarriesTheReason() {
		this.input.send(Events.message(Events.rejectedJson(UUID.randomUUID(), "o-4", "out of stock: sku-9"),
				"OrderRejected", 1, "corr-4", "o-4"), "order-status");

		assertThat(this.channel.accepted()).singleElement().satisfies(accepted -> {
			assertThat(accepted.notice().status()).isEqualTo(OrderStatus.REJECTED);
			assertThat(accepted.notice().reason()).isEqualTo("out of stock: sku-9");
		});
		assertThat(this.store.findByOrderId("o-4")).singleElement()
			.satisfies(sent -> assertThat(sent.reason()).isEqualTo("out of stock: sku-9"));
	}

	@Test
	void correlationIdAndOrderIdAreInTheMdcDuringTheSendAndClearedAfter() {
		this.input.send(Events.confirmed("o-5", "corr-5"), "order-status");

		assertThat(this.channel.accepted()).singleElement()
			.satisfies(accepted -> assertThat(accepted.mdc()).containsEntry("correlationId", "corr-5")
				.containsEntry("orderId", "o-5"));
		// The test binder runs the function on this thread: nothing may be left behind.
		assertThat(MDC.get("correlationId")).isNull();
		assertThat(MDC.get("orderId")).isNull();
	}

	@Test
	void version2WithAddedFieldsIsRead() {
		String v2 = """
				{"eventId":"%s","orderId":"o-6","customerId":"c-7","email":"ann@example.com",\
				"occurredAt":"2024-05-01T10:00:00Z","loyaltyTier":"gold","items":[{"sku":"a"}]}"""
			.formatted(UUID.randomUUID());

		this.input.send(Events.message(v2, "OrderConfirmed", "2", "corr-6", "o-6"), "order-status");

		assertThat(this.channel.acceptedOrderIds()).containsExactly("o-6");
	}

	@Test
	void channelFailuresAreRetriedByResilience4jAndSendOnce() {
		this.channel.failNext(2);

		this.input.send(Events.confirmed("o-7", "corr-7"), "order-status");

		assertThat(this.channel.failedCalls()).isEqualTo(2);
		assertThat(this.channel.acceptedOrderIds()).containsExactly("o-7");
		assertThat(this.store.findByOrderId("o-7")).hasSize(1);
	}

	@Test
	void unknownEventTypeIsRefusedWithoutSending() {
		Message<OrderStatusEvent> event = event("OrderShipped", 1, "o-8");

		assertThatIllegalArgumentException().isThrownBy(() -> this.notify.accept(event))
			.withMessageContaining("Unknown eventType 'OrderShipped'");
		assertThat(this.channel.accepted()).isEmpty();
		assertThat(MDC.get("correlationId")).isNull();
	}

	@Test
	void unknownEventVersionIsRefusedWithoutSending() {
		Message<OrderStatusEvent> event = event("OrderConfirmed", 3, "o-9");

		assertThatIllegalArgumentException().isThrownBy(() -> this.notify.accept(event))
			.withMessageContaining("Unsupported eventVersion 3");
		assertThat(this.channel.accepted()).isEmpty();
	}

	@Test
	void invalidPayloadIsRefusedNamingEveryInvalidField() {
		Message<OrderStatusEvent> event = message(new OrderStatusEvent(null, " ", "c-7", "not-an-address", null, null),
				"OrderConfirmed", 1);

		assertThatIllegalArgumentException().isThrownBy(() -> this.notify.accept(event))
			.withMessageContainingAll("eventId", "orderId", "email");
		assertThat(this.channel.accepted()).isEmpty();
	}

	@Test
	@SuppressWarnings({ "unchecked", "rawtypes" })
	void unreadablePayloadIsRefusedWithoutSending() {
		Message raw = Events.message("{not json", "OrderConfirmed", 1, "corr-10", "o-10");

		assertThatIllegalArgumentException().isThrownBy(() -> this.notify.accept(raw))
			.withMessageContaining("Unreadable order-status payload");
		assertThat(this.channel.accepted()).isEmpty();
	}

	@Test
	void notificationsOfAnOrderAreListedOverHttp() throws Exception {
		this.input.send(Events.message(Events.rejectedJson(UUID.randomUUID(), "o-11", "no stock"), "OrderRejected", 1,
				"corr-11", "o-11"), "order-status");

		this.mvc.perform(get("/notifications").param("orderId", "o-11"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.length()").value(1))
			.andExpect(jsonPath("$[0].status").value("REJECTED"))
			.andExpect(jsonPath("$[0].reason").value("no stock"))
			.andExpect(jsonPath("$[0].email").value("ann@example.com"))
			.andExpect(jsonPath("$[0].channel").value("test"))
			.andExpect(jsonPath("$[0].sentAt").isString());
	}

	@Test
	void resilience4jIsConfiguredAsDocumented(@Autowired RetryRegistry retries) {
		CircuitBreakerConfig breaker = this.breakers.circuitBreaker(GuardedChannel.INSTANCE).getCircuitBreakerConfig();
		assertThat(breaker.isAutomaticTransitionFromOpenToHalfOpenEnabled()).isTrue();
		assertThat(breaker.getIgnoreExceptionPredicate().test(new NotificationRejectedException("no", null))).isTrue();
		RetryConfig retry = retries.retry(GuardedChannel.INSTANCE).getRetryConfig();
		assertThat(retry.getMaxAttempts()).isEqualTo(3);
		assertThat(retry.getExceptionPredicate().test(CallNotPermittedException
			.createCallNotPermittedException(this.breakers.circuitBreaker(GuardedChannel.INSTANCE)))).isFalse();
		assertThat(retry.getExceptionPredicate().test(new NotificationRejectedException("no", null))).isFalse();
		assertThat(retry.getExceptionPredicate().test(new IllegalStateException("down"))).isTrue();
		// Exponential with jitter: the waits before the first retries vary from call to call.
		Set<Long> firstWaits = new HashSet<>();
		for (int i = 0; i < 50; i++) {
			firstWaits.add(retry.getIntervalBiFunction().apply(1, Either.left(new IllegalStateException())));
		}
		assertThat(firstWaits).hasSizeGreaterThan(1);
	}

	@Test
	void healthShowsTheChannelCircuitBreaker() throws Exception {
		this.mvc.perform(get("/actuator/health"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.components.circuitBreakers.status").value("UP"));
	}

	private static Message<OrderStatusEvent> event(String eventType, Object eventVersion, String orderId) {
		return message(new OrderStatusEvent(UUID.randomUUID(), orderId, "c-7", "ann@example.com", null, null),
				eventType, eventVersion);
	}

	private static Message<OrderStatusEvent> message(OrderStatusEvent event, String eventType, Object eventVersion) {
		return org.springframework.integration.support.MessageBuilder.withPayload(event)
			.setHeader("eventType", eventType)
			.setHeader("eventVersion", eventVersion)
			.setHeader("correlationId", "corr-x")
			.build();
	}

}
