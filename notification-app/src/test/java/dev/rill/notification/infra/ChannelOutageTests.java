package dev.rill.notification.infra;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.rill.notification.Events;
import dev.rill.notification.PrivateRedisTest;
import dev.rill.notification.RecordingChannel;
import dev.rill.notification.RecordingChannelConfiguration;
import dev.rill.notification.channel.GuardedChannel;
import dev.rill.notification.channel.NotificationRejectedException;
import dev.rill.notification.config.NotifyConfiguration;
import dev.rill.notification.events.OrderStatus;
import dev.rill.notification.store.NotificationStore;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.cloud.stream.binder.Binding;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A channel outage on the real Redis Streams binder: the circuit breaker opens, the
 * {@code notify-in-0} binding pauses, nothing is dead-lettered, and after recovery every
 * notification is sent exactly once and the binding reads again. Also: what does go to the
 * dead-letter stream (bad messages, refusals), at once.
 */
@SpringBootTest(properties = {
		"spring.cloud.stream.default-binder=redis",
		"spring.cloud.stream.redis.default.consumer.block-time=200ms",
		"spring.cloud.stream.redis.bindings.notify-in-0.consumer.block-time=200ms",
		"spring.cloud.stream.redis.binder.shutdown-timeout=2s",
		"resilience4j.circuitbreaker.instances.notificationChannel.sliding-window-size=4",
		"resilience4j.circuitbreaker.instances.notificationChannel.minimum-number-of-calls=2",
		"resilience4j.circuitbreaker.instances.notificationChannel.wait-duration-in-open-state=1s",
		"resilience4j.circuitbreaker.instances.notificationChannel.permitted-number-of-calls-in-half-open-state=1",
		"resilience4j.retry.instances.notificationChannel.wait-duration=20ms",
		"resilience4j.retry.instances.notificationChannel.exponential-max-wait-duration=50ms",
		"rill.notification.retry-round-pause=200ms" })
@Import({ RecordingChannelConfiguration.class, ChannelOutageTests.OpenCounter.class })
class ChannelOutageTests extends PrivateRedisTest {

	private static final String STREAM = "order-status";

	private static final String DLQ = "order-status.notification.dlq";

	/** Stopped (bindings first) before the Redis extension stops the server. */
	private static ConfigurableApplicationContext context;

	@Autowired
	private RecordingChannel channel;

	@Autowired
	private StreamBridge bridge;

	@Autowired
	private StringRedisTemplate redisTemplate;

	@Autowired
	private BindingsLifecycleController bindings;

	@Autowired
	private NotificationStore store;

	@Autowired
	private OpenCounter opened;

	@Autowired
	private HealthEndpoint health;

	private CircuitBreaker breaker;

	@BeforeEach
	void setUp(@Autowired ConfigurableApplicationContext applicationContext,
			@Autowired CircuitBreakerRegistry breakers) {
		context = applicationContext;
		this.breaker = breakers.circuitBreaker(GuardedChannel.INSTANCE);
		this.breaker.reset();
		this.channel.reset();
		this.opened.reset();
		this.redisTemplate.delete(DLQ);
		Set<String> keys = this.redisTemplate.keys("notification:*");
		if (keys != null && !keys.isEmpty()) {
			this.redisTemplate.delete(keys);
		}
	}

	@AfterAll
	static void stopBindingsWhileRedisRuns() {
		if (context != null) {
			context.stop();
		}
	}

	@Test
	void anOutagePausesTheBindingDeadLettersNothingAndEveryNotificationIsSentOnceAfterRecovery() {
		List<String> orders = IntStream.rangeClosed(1, 5).mapToObj(i -> "outage-" + i).toList();
		this.channel.down(true);

		orders.forEach(orderId -> this.bridge.send(STREAM, Events.confirmed(orderId, "corr-" + orderId)));

		await("breaker open and binding paused").atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			assertThat(this.breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
			assertThat(binding().isPaused()).isTrue();
			// Visible in /actuator/health, without making the application DOWN: restarting it
			// would not bring the channel back.
			assertThat(this.health.healthForPath("circuitBreakers").getStatus()).isNotEqualTo(Status.UP);
			assertThat(this.health.health().getStatus()).isEqualTo(Status.UP);
		});
		// Stay in the outage over several OPEN -> HALF_OPEN -> OPEN cycles: nothing is sent,
		// nothing dead-lettered.
		await("outage goes on").during(Duration.ofMillis(2500))
			.atMost(Duration.ofSeconds(10))
			.until(() -> dlqLength() == 0 && this.channel.accepted().isEmpty());
		assertThat(this.opened.count()).isGreaterThanOrEqualTo(2);

		this.channel.down(false);

		await("all sent").atMost(Duration.ofSeconds(15))
			.untilAsserted(() -> assertThat(this.channel.acceptedOrderIds()).containsExactlyInAnyOrderElementsOf(orders));
		await("breaker closed and binding running").atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(this.breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
			assertThat(binding().isPaused()).isFalse();
			assertThat(binding().isRunning()).isTrue();
			assertThat(pendingEntries()).isZero();
		});
		assertThat(dlqLength()).isZero();
		orders.forEach(orderId -> assertThat(this.store.findByOrderId(orderId)).hasSize(1));
		// The outage cost what the breaker allows: its minimum number of calls while closed,
		// then one trial call per HALF_OPEN; not retries per message and entry.
		assertThat(this.channel.failedCalls()).isLessThanOrEqualTo(2 + this.opened.count());

		// The binding reads again: a new event is notified.
		this.bridge.send(STREAM, Events.confirmed("after-outage", "corr-after"));
		await("reads again").atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.channel.acceptedOrderIds()).contains("after-outage"));
		assertThat(this.channel.acceptedOrderIds()).hasSize(orders.size() + 1).doesNotHaveDuplicates();
	}

	@Test
	void badMessagesAreDeadLetteredAtOnceWithoutTouchingTheChannel() {
		String valid = Events.confirmedJson(UUID.randomUUID(), "bad-1");
		xadd(Map.of("payload", valid, "contentType", "application/json", "eventType", "OrderShipped",
				"eventVersion", "1"));
		xadd(Map.of("payload", valid, "contentType", "application/json", "eventType", "OrderConfirmed",
				"eventVersion", "7"));
		xadd(Map.of("payload", "{not json", "contentType", "application/json", "eventType", "OrderConfirmed",
				"eventVersion", "1"));
		xadd(Map.of("payload", "{\"eventId\":\"" + UUID.randomUUID() + "\",\"orderId\":\"bad-4\"}", "contentType",
				"application/json", "eventType", "OrderConfirmed", "eventVersion", "1"));

		await("dead-lettered").atMost(Duration.ofSeconds(10)).until(() -> dlqLength() == 4);

		List<MapRecord<String, Object, Object>> deadLetters = this.redisTemplate.opsForStream().range(DLQ,
				org.springframework.data.domain.Range.unbounded());
		assertThat(deadLetters).extracting(entry -> entry.getValue().get("x-exception-fqcn"))
			.containsOnly(IllegalArgumentException.class.getName());
		assertThat(deadLetters).extracting(entry -> entry.getValue().get("x-delivery-count")).containsOnly("1");
		assertThat(deadLetters).extracting(entry -> Objects.toString(entry.getValue().get("x-exception-message")))
			.anySatisfy(message -> assertThat(message).contains("Unknown eventType 'OrderShipped'"))
			.anySatisfy(message -> assertThat(message).contains("Unsupported eventVersion 7"))
			.anySatisfy(message -> assertThat(message).contains("Unreadable order-status payload"))
			.anySatisfy(message -> assertThat(message).contains("email"));
		assertThat(this.channel.calls()).isZero();
		await().atMost(Duration.ofSeconds(5)).until(() -> pendingEntries() == 0);
	}

	/**
	 * Spring Cloud Function would split a JSON-array payload into elements and, with a
	 * {@code user-agent} header on the entry, never run {@code notify} nor fail: the entry was
	 * acknowledged without a trace (see {@code JsonArrayPayloadGuard}).
	 */
	@ParameterizedTest
	@ValueSource(booleans = { false, true })
	void aJsonArrayPayloadIsDeadLetteredAtOnceNamingTheReason(boolean userAgent) {
		String payload = "[" + Events.confirmedJson(UUID.randomUUID(), "array-1").strip() + "]";
		Map<String, String> fields = new HashMap<>(Map.of("payload", payload, "contentType", "application/json",
				"eventType", "OrderConfirmed", "eventVersion", "1", "orderId", "array-1"));
		if (userAgent) {
			fields.put("user-agent", "curl/8.5.0");
		}

		xadd(fields);

		await("dead-lettered").atMost(Duration.ofSeconds(10)).until(() -> dlqLength() == 1);
		Map<Object, Object> deadLetter = this.redisTemplate.opsForStream()
			.range(DLQ, org.springframework.data.domain.Range.unbounded())
			.get(0)
			.getValue();
		assertThat(deadLetter).containsEntry("payload", payload)
			.containsEntry("x-exception-fqcn", IllegalArgumentException.class.getName())
			.containsEntry("x-exception-message", "Unreadable order-status payload (" + payload.length()
					+ " bytes): a JSON array, but an event is one JSON object")
			.containsEntry("x-delivery-count", "1");
		assertThat(this.channel.calls()).isZero();
		assertThat(this.store.isSent("array-1", OrderStatus.CONFIRMED)).isFalse();
		await().atMost(Duration.ofSeconds(5)).until(() -> pendingEntries() == 0);
	}

	@Test
	void aNoticeTheChannelRefusesForGoodIsDeadLetteredAndIsNoOutage() {
		this.channel.refuse(new NotificationRejectedException("mailbox does not exist", null));

		this.bridge.send(STREAM, Events.confirmed("refused-1", "corr-refused"));

		await("dead-lettered").atMost(Duration.ofSeconds(10)).until(() -> dlqLength() == 1);
		assertThat(this.channel.calls()).isEqualTo(1);
		assertThat(this.breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
		assertThat(this.breaker.getMetrics().getNumberOfFailedCalls()).isZero();
		assertThat(this.store.isSent("refused-1", OrderStatus.CONFIRMED)).isFalse();
	}

	private Binding<?> binding() {
		List<Binding<?>> found = this.bindings.queryState(NotifyConfiguration.NOTIFY_BINDING);
		assertThat(found).hasSize(1);
		return found.get(0);
	}

	private long dlqLength() {
		Long length = this.redisTemplate.opsForStream().size(DLQ);
		return (length != null) ? length : 0;
	}

	private long pendingEntries() {
		return this.redisTemplate.opsForStream().pending(STREAM, "notification").getTotalPendingMessages();
	}

	private void xadd(Map<String, String> fields) {
		this.redisTemplate.opsForStream().add(MapRecord.create(STREAM, fields));
	}

	/**
	 * Counts how often the channel's breaker opened.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class OpenCounter {

		private final AtomicInteger opened = new AtomicInteger();

		OpenCounter(CircuitBreakerRegistry breakers) {
			breakers.circuitBreaker(GuardedChannel.INSTANCE).getEventPublisher().onStateTransition(event -> {
				if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
					this.opened.incrementAndGet();
				}
			});
		}

		int count() {
			return this.opened.get();
		}

		void reset() {
			this.opened.set(0);
		}

		@Bean
		String openCounterMarker() {
			return "open-counter";
		}

	}

}
