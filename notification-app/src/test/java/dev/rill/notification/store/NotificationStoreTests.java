package dev.rill.notification.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rill.notification.PrivateRedisTest;
import dev.rill.notification.config.NotificationProperties;
import dev.rill.notification.events.OrderStatus;
import dev.rill.notification.notify.SentNotification;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.autoconfigure.data.redis.DataRedisTest;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link NotificationStore} on a real Redis: markers, per-order lists, atomicity, expiry.
 */
@DataRedisTest(properties = "rill.notification.retention=1h")
@Import(NotificationStore.class)
@ImportAutoConfiguration(JacksonAutoConfiguration.class)
@EnableConfigurationProperties(NotificationProperties.class)
class NotificationStoreTests extends PrivateRedisTest {

	@Autowired
	private NotificationStore store;

	@Autowired
	private StringRedisTemplate template;

	@BeforeEach
	void clean() {
		redis.flushAll();
	}

	@Test
	void recordingSetsTheMarkerAndAppendsToTheOrdersList() {
		assertThat(this.store.isSent("o-1", OrderStatus.CONFIRMED)).isFalse();

		assertThat(this.store.recordSent(sent("o-1", OrderStatus.CONFIRMED, null))).isTrue();

		assertThat(this.store.isSent("o-1", OrderStatus.CONFIRMED)).isTrue();
		assertThat(this.store.isSent("o-1", OrderStatus.REJECTED)).isFalse();
		assertThat(this.template.hasKey("notification:sent:o-1:CONFIRMED")).isTrue();
		assertThat(this.template.opsForList().size("notification:order:o-1")).isEqualTo(1);
		assertThat(this.store.findByOrderId("o-1")).containsExactly(sent("o-1", OrderStatus.CONFIRMED, null));
	}

	@Test
	void recordingTheSameNotificationAgainKeepsOneEntry() {
		assertThat(this.store.recordSent(sent("o-2", OrderStatus.CONFIRMED, null))).isTrue();

		assertThat(this.store.recordSent(sent("o-2", OrderStatus.CONFIRMED, null))).isFalse();

		assertThat(this.store.findByOrderId("o-2")).hasSize(1);
	}

	@Test
	void concurrentRecordsOfOneNotificationAppendExactlyOnce() throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(8);
		try {
			List<Callable<Boolean>> tasks = new ArrayList<>();
			for (int i = 0; i < 16; i++) {
				tasks.add(() -> this.store.recordSent(sent("o-3", OrderStatus.REJECTED, "no stock")));
			}
			long recorded = 0;
			for (Future<Boolean> result : pool.invokeAll(tasks)) {
				recorded += result.get() ? 1 : 0;
			}
			assertThat(recorded).isEqualTo(1);
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(this.store.findByOrderId("o-3")).hasSize(1);
	}

	@Test
	void theNotificationsOfAnOrderAreListedOldestFirstWithoutOtherOrders() {
		this.store.recordSent(sent("o-4", OrderStatus.CONFIRMED, null));
		this.store.recordSent(sent("o-5", OrderStatus.CONFIRMED, null));
		this.store.recordSent(sent("o-4", OrderStatus.REJECTED, "cancelled"));

		assertThat(this.store.findByOrderId("o-4")).extracting(SentNotification::status, SentNotification::reason)
			.containsExactly(org.assertj.core.groups.Tuple.tuple(OrderStatus.CONFIRMED, null),
					org.assertj.core.groups.Tuple.tuple(OrderStatus.REJECTED, "cancelled"));
	}

	@Test
	void anOrderWithoutNotificationsHasAnEmptyList() {
		assertThat(this.store.findByOrderId("unknown")).isEmpty();
	}

	@Test
	void markerAndListExpireAfterTheRetention() {
		this.store.recordSent(sent("o-6", OrderStatus.CONFIRMED, null));

		for (String key : List.of("notification:sent:o-6:CONFIRMED", "notification:order:o-6")) {
			Long ttl = this.template.getExpire(key);
			assertThat(ttl).as(key).isPositive().isLessThanOrEqualTo(Duration.ofHours(1).toSeconds());
		}
	}

	private static SentNotification sent(String orderId, OrderStatus status, String reason) {
		return new SentNotification(orderId, status, reason, "ann@example.com", "log",
				Instant.parse("2024-05-01T10:00:00Z"));
	}

}
