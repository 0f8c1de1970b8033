package dev.rill.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.rill.e2e.SagaScenario.Kind;
import dev.rill.e2e.SagaScenario.Oracle;
import dev.rill.e2e.SagaScenario.Outcome;
import dev.rill.e2e.SagaScenario.PlannedOrder;
import dev.rill.e2e.platform.Platform;
import dev.rill.e2e.platform.RillClient.Notification;
import dev.rill.e2e.platform.RillClient.Placement;
import dev.rill.e2e.platform.RillClient.StockLevel;
import dev.rill.e2e.platform.ServiceProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What must hold after {@link SagaScenario} ran, whatever the transport.
 */
final class SagaAssertions {

	private SagaAssertions() {
	}

	/**
	 * Every planned order was accepted once (202, distinct ids), every invalid request refused
	 * (400), every retry with the same Idempotency-Key answered with the same order.
	 */
	static void assertPlacements(SagaScenario scenario) {
		List<String> refused = new ArrayList<>();
		for (PlannedOrder order : scenario.plan()) {
			Placement placement = scenario.placements().get(order.index());
			if (placement == null || !placement.accepted()) {
				refused.add(order.correlationId() + ": " + placement);
			}
		}
		assertThat(refused).as("planned orders not accepted").isEmpty();
		assertThat(scenario.placements().values().stream().map(Placement::orderId).distinct().count())
			.as("distinct order ids").isEqualTo(scenario.plan().size());
		assertThat(scenario.invalidStatuses()).as("statuses of the invalid orders").hasSize(5).containsOnly(400);
		assertThat(scenario.retries()).hasSize(SagaScenario.RETRIED);
		scenario.retries().forEach((index, retry) -> assertThat(retry.orderId())
			.as("order id of the retried placement %d", index)
			.isEqualTo(scenario.placements().get(index).orderId()));
	}

	/**
	 * The oracle (nothing lost, nothing notified twice), each order's status, reason and
	 * notification, the number confirmed per kind, and the stock levels.
	 */
	static void assertOutcomes(SagaScenario scenario, List<Outcome> outcomes) {
		Oracle oracle = SagaScenario.oracle(outcomes);
		int planned = scenario.plan().size();
		List<String> wrong = new ArrayList<>();
		for (Outcome outcome : outcomes) {
			String problem = problemOf(outcome);
			if (problem != null) {
				wrong.add(outcome.planned().correlationId() + " (" + outcome.orderId() + "): " + problem);
			}
		}
		assertThat(wrong).as("orders whose outcome is wrong").isEmpty();
		assertThat(oracle).as("oracle")
			.isEqualTo(new Oracle(planned, planned, 0, 0, expectedConfirmed(), planned - expectedConfirmed()));
		Map<Kind, Long> confirmed = SagaScenario.confirmedByKind(outcomes);
		SagaScenario.EXPECTED_CONFIRMED.forEach((kind, expected) -> assertThat(confirmed.getOrDefault(kind, 0L))
			.as("confirmed %s orders", kind).isEqualTo(expected.longValue()));
		assertStock(scenario, outcomes);
	}

	static int expectedConfirmed() {
		return SagaScenario.EXPECTED_CONFIRMED.values().stream().mapToInt(Integer::intValue).sum();
	}

	private static String problemOf(Outcome outcome) {
		if (outcome.order() == null) {
			return "not in the read model";
		}
		if (!outcome.decided()) {
			return "still " + outcome.status();
		}
		if (!outcome.planned().items().equals(outcome.order().items())) {
			return "items " + outcome.order().items() + ", planned " + outcome.planned().items();
		}
		String expectedReason = switch (outcome.planned().kind()) {
			case APPLE -> "insufficient stock for sku apple";
			case PEAR -> "insufficient stock for sku pear";
			case KIWI -> null;
			case KIWI_PLUM -> "insufficient stock for sku plum";
			case GHOST -> "unknown sku ghost";
		};
		String reason = outcome.order().reason();
		if (outcome.status().equals("REJECTED")) {
			if (expectedReason == null || reason == null || !reason.startsWith(expectedReason)) {
				return "rejected with reason '" + reason + "', expected '" + expectedReason + "...'";
			}
		}
		else if (reason != null) {
			return "confirmed with a reason: " + reason;
		}
		List<Notification> notifications = outcome.notifications();
		if (notifications.size() != 1) {
			return notifications.size() + " notifications: " + notifications;
		}
		Notification notification = notifications.get(0);
		if (!outcome.status().equals(notification.status())) {
			return "status " + outcome.status() + " but notified " + notification.status();
		}
		if (!Objects.equals(reason, notification.reason())) {
			return "reason '" + reason + "' but notified '" + notification.reason() + "'";
		}
		if (!notification.orderId().equals(outcome.orderId())) {
			return "notification of another order: " + notification;
		}
		return null;
	}

	/**
	 * Per sku, what is reserved is what the confirmed orders hold, and what is available is the
	 * rest: no rejected order reserved anything (all or nothing), no order reserved twice.
	 */
	static void assertStock(SagaScenario scenario, List<Outcome> outcomes) {
		Map<String, Long> reserved = SagaScenario.reservedByConfirmedOrders(outcomes);
		Map<String, Optional<StockLevel>> levels = scenario.stockLevels();
		SagaScenario.STOCK.forEach((sku, initial) -> {
			StockLevel level = levels.get(sku).orElseThrow(() -> new AssertionError("no stock record for " + sku));
			assertThat(level).as("stock of %s", sku)
				.isEqualTo(new StockLevel(sku, initial - reserved.get(sku), reserved.get(sku)));
		});
		assertThat(levels.get("ghost")).as("stock of the unknown sku").isEmpty();
	}

	/**
	 * For the first accepted order of each kind, its correlation id (the X-Correlation-Id it
	 * was placed with) shows in the logs of all three services.
	 */
	static void assertCorrelationIdsInAllLogs(Platform platform, SagaScenario scenario, List<Kind> kinds) {
		List<String> ids = kinds.stream()
			.map(kind -> scenario.accepted().stream().filter(o -> o.kind() == kind).findFirst().orElseThrow())
			.map(PlannedOrder::correlationId)
			.toList();
		await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			for (ServiceProcess service : platform.services()) {
				String log = service.log();
				for (String id : ids) {
					assertThat(log.contains("[corr=" + id + "]")).as("%s logs [corr=%s]", service.name(), id).isTrue();
				}
			}
		});
	}

}
