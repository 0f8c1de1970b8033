package dev.rill.e2e;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.rill.e2e.SagaScenario.Oracle;
import dev.rill.e2e.SagaScenario.Outcome;
import dev.rill.e2e.platform.Platform;
import dev.rill.e2e.platform.RillClient.Notification;
import dev.rill.e2e.platform.RillClient.StockLevel;
import dev.rill.e2e.platform.StreamGroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * At-least-once delivery, taken at its word: after the saga has finished, every consumer group
 * is moved back to the start of its stream ({@code XGROUP SETID <stream> <group> 0}), so that
 * the running services receive every event a second time (and the events they send in answer
 * to those, once more). Idempotent consumers leave the outcome as it was: the same statuses and
 * reasons, the same stock, one notification per order.
 */
class RedeliveryTests {

	@RegisterExtension
	static final SagaPlatform<RedisTransport> saga = new SagaPlatform<>(RedisTransport::start);

	@Test
	void everyEventDeliveredTwiceLeavesTheOutcomeUnchanged() {
		Platform platform = saga.platform();
		RedisTransport redis = saga.transport();
		StreamGroups streams = redis.streams();
		SagaScenario scenario = new SagaScenario("redelivery", platform.client());
		scenario.placeOrders();
		scenario.awaitOutcomes(Duration.ofSeconds(90));
		redis.awaitDrained(Duration.ofSeconds(30));
		List<Outcome> before = scenario.outcomes();
		Map<String, Optional<StockLevel>> stockBefore = scenario.stockLevels();
		SagaAssertions.assertOutcomes(scenario, before);
		int orders = scenario.plan().size();
		assertThat(lengths(streams)).as("stream lengths after the saga")
			.isEqualTo(Map.of("orders", (long) orders, "stock", (long) orders, "order-status", (long) orders));

		long started = System.nanoTime();
		streams.rewindSaga();
		// Downstream groups were rewound first, so every entry is read exactly twice: inventory
		// answers the 200 OrderPlaced again (same events), order-app answers the 400 stock
		// events (each decision re-emitted), notification-app reads all 600 status events.
		Map<String, Long> expected = Map.of("orders", (long) orders, "stock", 2L * orders, "order-status",
				3L * orders);
		await().atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> lengths(streams).equals(expected) && streams.sagaDrained());
		List<Outcome> after = scenario.outcomes();
		Oracle oracle = SagaScenario.oracle(after);
		// Redelivered: the 800 entries the four groups had read before; re-sent: the 200 stock
		// and 400 status events the services sent again in answer to redeliveries.
		long redelivered = StreamGroups.SAGA.values().stream().mapToLong(groups -> (long) groups.size() * orders).sum();
		long resent = expected.values().stream().mapToLong(Long::longValue).sum() - 3L * orders;
		System.out.printf("%s redelivered=%d resent=%d (streams %s) in %.1f s%n", oracle.line("redis redelivery"),
				redelivered, resent, lengths(streams), (System.nanoTime() - started) / 1e9);

		assertThat(summary(after)).as("status, reason and notifications of every order")
			.isEqualTo(summary(before));
		assertThat(scenario.stockLevels()).as("stock levels").isEqualTo(stockBefore);
		SagaAssertions.assertOutcomes(scenario, after);
		redis.assertNoDeadLetters();
		assertThat(platform.inventory().log()).contains("was answered before");
		assertThat(platform.notification().log()).contains("was already notified");
	}

	private static Map<String, Long> lengths(StreamGroups streams) {
		return StreamGroups.SAGA.keySet()
			.stream()
			.collect(Collectors.toMap(Function.identity(), streams::length, (a, b) -> a, LinkedHashMap::new));
	}

	private static Map<String, String> summary(List<Outcome> outcomes) {
		return outcomes.stream()
			.collect(Collectors.toMap(Outcome::orderId, o -> o.status() + " / " + o.order().reason() + " / "
					+ o.notifications().stream().map(RedeliveryTests::describe).toList()));
	}

	private static String describe(Notification notification) {
		return notification.status() + ":" + notification.reason() + ":" + notification.email() + ":"
				+ notification.channel();
	}

}
