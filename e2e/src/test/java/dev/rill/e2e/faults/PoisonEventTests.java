package dev.rill.e2e.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rill.e2e.faults.EventLog.DeadLetter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Poison events written straight into each stream with a raw {@code XADD}, between the orders
 * of a running load: entries that look like the services' own but that their consumer must
 * refuse (an event type or version it does not read, a payload that is not JSON, a decision
 * about an order nobody placed). Each is dead-lettered to {@code <stream>.<group>.dlq} with its
 * payload and headers as they were plus the {@code x-exception-*} and {@code x-original-*}
 * headers, after the attempts its binding is configured for; it changes no state and causes no
 * event; the orders before and behind it flow, and every group ends with nothing pending.
 * <p>
 * A payload that is not JSON reaches the functions unconverted, as raw bytes; every consumer
 * refuses it with an {@code IllegalArgumentException} (inventory-app and order-app with their
 * {@code UnreadableEventException}), which the bindings do not retry, so it is dead-lettered at
 * the first attempt with the reason in {@code x-exception-message}. The services' own tests
 * count the attempts; here the exception type proves which path it took.
 * <p>
 * The poisons an operator can fix (an {@code OrderPlaced} of version 99, an {@code OrderShipped}
 * that should have been an {@code OrderConfirmed}) are then replayed as an operator without the
 * binder's {@code redisstreams} endpoint would (the services expose only {@code health,info}):
 * the dead letter's payload and headers, fixed, added to the stream it came from. The fixed
 * {@code OrderPlaced} is placed, decided and notified; the fixed {@code OrderConfirmed} notified.
 * <p>
 * The scenarios run on the Kafka binder too ({@link KafkaPoisonEventTests}): raw records, the
 * binder's {@code error.<topic>.<group>} dead-letter topics, replay by producing the fixed record.
 */
@ExtendWith(FaultPlatform.class)
class PoisonEventTests {

	/** The shared configuration's retry: 3 attempts, back-off 200 ms then 400 ms. */
	private static final Duration THREE_ATTEMPTS_BACK_OFF = Duration.ofMillis(600);

	@Test
	void poisonOnOrdersIsDeadLetteredByBothGroups(FaultPlatform faults) {
		onOrders(faults);
	}

	@Test
	void poisonOnStockIsDeadLetteredAfterTheRetries(FaultPlatform faults) {
		onStock(faults);
	}

	@Test
	void poisonOnOrderStatusIsDeadLettered(FaultPlatform faults) {
		onOrderStatus(faults);
	}

	/**
	 * An {@code OrderPlaced} of an unknown version and one that is not JSON, dead-lettered by both
	 * groups of {@code orders}; the first, replayed as version 1, is placed, decided and notified
	 * (its correlation id is the run's, so the oracle follows it like the load's orders).
	 */
	static void onOrders(FaultTarget faults) {
		String orderId = UUID.randomUUID().toString();
		run(faults, "orders", run -> List.of(
				new Poison("OrderPlaced of an unknown eventVersion", "orders", headers(run + "-poison", "OrderPlaced", "99",
						orderId, "{\"eventId\":\"" + UUID.randomUUID() + "\",\"orderId\":\"" + orderId
								+ "\",\"customerId\":\"c-poison\",\"email\":\"poison@example.com\",\"items\":[{\"sku\":\""
								+ run + "-apple\",\"quantity\":1}],\"occurredAt\":\"" + Instant.now() + "\"}"),
						List.of("inventory", "order-view"), "java.lang.IllegalArgumentException", "eventVersion", false,
						Map.of("eventVersion", "1")),
				new Poison("OrderPlaced whose payload is not JSON", "orders",
						headers("injected-" + run, "OrderPlaced", "1", UUID.randomUUID().toString(),
								"{\"eventId\":\"e-1\",\"orderId\":\"" + UUID.randomUUID() + "\",\"items\":[{\"sku\":"),
						List.of("inventory", "order-view"), unreadable(faults,
								"dev\\.rill\\.(inventory|order)\\.events\\.UnreadableEventException",
								"Unreadable OrderPlaced payload")),
				// Refused by the services' guard on the binding channel, before any conversion: the
				// same exception on both binders.
				new Poison("OrderPlaced whose payload is a JSON array, with a user-agent field", "orders",
						withUserAgent(headers("injected-" + run, "OrderPlaced", "1", UUID.randomUUID().toString(),
								"[{\"eventId\":\"e-1\",\"orderId\":\"" + UUID.randomUUID() + "\"}]")),
						List.of("inventory", "order-view"),
						List.of("dev\\.rill\\.(inventory|order)\\.events\\.UnreadableEventException",
								"a JSON array, but an event is one JSON object"))), orderId);
		// Replayed and fixed: the order went through the saga like any other.
		assertThat(faults.client().order(orderId)).as("read model of the replayed order")
			.hasValueSatisfying(order -> assertThat(order.decided()).as("decided").isTrue());
		assertThat(faults.client().notifications(orderId)).as("notifications of the replayed order").hasSize(1);
	}

	/**
	 * A {@code StockReserved} of an order nobody placed (retried, since the order might still
	 * arrive) and a {@code StockRejected} that is not JSON. Neither is replayed: no fix makes an
	 * order nobody placed known.
	 */
	static void onStock(FaultTarget faults) {
		String unknownOrder = UUID.randomUUID().toString();
		run(faults, "stock", run -> List.of(
				new Poison("StockReserved of an order nobody placed (retried: it may still arrive)", "stock",
						headers("injected-" + run, "StockReserved", "1", unknownOrder, "{\"eventId\":\""
								+ UUID.randomUUID() + "\",\"orderId\":\"" + unknownOrder + "\",\"occurredAt\":\""
								+ Instant.now() + "\"}"),
						List.of("order"), "dev.rill.order.saga.OrderNotYetKnownException", unknownOrder, true, null),
				new Poison("StockRejected whose payload is not JSON", "stock",
						headers("injected-" + run, "StockRejected", "1", UUID.randomUUID().toString(), "not json at all"),
						List.of("order"), unreadable(faults, "dev\\.rill\\.order\\.events\\.UnreadableEventException",
								"Unreadable StockRejected payload"))), unknownOrder);
		assertThat(faults.client().order(unknownOrder)).as("read model of the unknown order").isEmpty();
	}

	/**
	 * An event type notification-app does not read and an {@code OrderConfirmed} that is not JSON;
	 * the first, replayed as {@code OrderConfirmed}, is notified once.
	 */
	static void onOrderStatus(FaultTarget faults) {
		String orderId = UUID.randomUUID().toString();
		run(faults, "order-status", run -> List.of(
				new Poison("an eventType notification-app does not read", "order-status",
						headers("injected-" + run, "OrderShipped", "1", orderId,
								"{\"eventId\":\"" + UUID.randomUUID() + "\",\"orderId\":\"" + orderId
										+ "\",\"customerId\":\"c-poison\",\"email\":\"poison@example.com\",\"occurredAt\":\""
										+ Instant.now() + "\"}"),
						List.of("notification"), "java.lang.IllegalArgumentException", "OrderShipped", false,
						Map.of("eventType", "OrderConfirmed")),
				new Poison("OrderConfirmed whose payload is not JSON", "order-status",
						headers("injected-" + run, "OrderConfirmed", "1", UUID.randomUUID().toString(), "{{{{"),
						List.of("notification"), unreadable(faults, "java\\.lang\\.IllegalArgumentException",
								"Unreadable order-status payload"))), orderId);
		await("the replayed notice").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(200))
			.untilAsserted(() -> assertThat(faults.client().notifications(orderId))
				.as("notifications of the replayed event's order")
				.singleElement()
				.satisfies(notification -> assertThat(notification.status()).isEqualTo("CONFIRMED")));
	}

	/**
	 * Inject the poisons into a running load, wait for their dead letters and check them, check
	 * that no event about the poison's order reached the streams downstream, replay the fixable
	 * ones (their first group's dead letter, to the stream they came from), then run the oracle
	 * (which expects exactly those dead letters).
	 * @param poisons the entries to inject, given the run's name
	 */
	private static void run(FaultTarget faults, String stream, Function<String, List<Poison>> poisons,
			String poisonOrder) {
		FaultOracle oracle = FaultOracle.begin(faults, "poison events on " + stream);
		EventLog events = faults.events();
		EventLog.Mark start = events.mark();
		String run = "poison-" + stream + "-" + ThreadLocalRandom.current().nextInt(1000, 10000);
		List<Poison> injected = poisons.apply(run);
		Map<String, Long> expectedDeadLetters = new LinkedHashMap<>();
		Map<Poison, String> ids = new LinkedHashMap<>();
		Map<String, DeadLetter> deadLetters = new LinkedHashMap<>();
		List<String> replayed = new ArrayList<>();
		try (OrderLoad load = new OrderLoad(run, faults.client(), 2, 50, 2000).start()) {
			load.awaitAccepted(100, Duration.ofSeconds(60));
			for (Poison poison : injected) {
				ids.put(poison, events.add(poison.stream(), poison.fields()));
				poison.groups()
					.forEach(group -> expectedDeadLetters.merge(events.deadLetterName(stream, group), 1L, Long::sum));
			}
			long acceptedAtInjection = load.acceptedCount();
			load.awaitAccepted((int) acceptedAtInjection + 100, Duration.ofSeconds(60));
			for (Poison poison : injected) {
				for (String group : poison.groups()) {
					DeadLetter deadLetter = await(poison.name() + " in " + events.deadLetterName(stream, group))
						.atMost(Duration.ofSeconds(30))
						.pollInterval(Duration.ofMillis(200))
						.until(() -> events.deadLetter(stream, group, ids.get(poison)), Optional::isPresent)
						.get();
					deadLetters.put(poison.name() + " -> " + events.deadLetterName(stream, group), deadLetter);
					checkDeadLetter(poison, ids.get(poison), group, deadLetter);
				}
			}
			for (String downstream : List.of("stock", "order-status")) {
				if (!downstream.equals(stream)) {
					assertThat(start.eventsSince(downstream).stream().map(event -> event.field("orderId")))
						.as("events about the poison's order on %s", downstream).doesNotContain(poisonOrder);
				}
			}
			for (Poison poison : injected) {
				if (poison.fix() != null) {
					DeadLetter deadLetter = deadLetters.get(poison.name() + " -> "
							+ events.deadLetterName(stream, poison.groups().get(0)));
					replayed.add(poison.name() + " with " + poison.fix() + " as " + events.replay(deadLetter, poison.fix()));
				}
			}
			load.stop();
			StringBuilder details = new StringBuilder("dead-lettered: ");
			deadLetters.forEach((what, deadLetter) -> details.append(what)
				.append(" (")
				.append(deadLetter.exceptionFqcn())
				.append(", ")
				.append(Duration.between(deadLetter.originalTime(), deadLetter.failedAt()).toMillis())
				.append(" ms after it was added); "));
			details.append(load.acceptedCount() - acceptedAtInjection).append(" orders accepted after the poison");
			details.append("; replayed: ").append(replayed);
			oracle.verify(load, details.toString(), expectedDeadLetters);
		}
	}

	private static void checkDeadLetter(Poison poison, String id, String group, DeadLetter deadLetter) {
		String what = poison.name() + " dead-lettered by " + group;
		poison.fields().forEach((name, value) -> assertThat(deadLetter.field(name)).as("%s: field %s", what, name)
			.isEqualTo(value));
		assertThat(deadLetter.originalStream()).as(what).isEqualTo(poison.stream());
		assertThat(deadLetter.originalId()).as(what).isEqualTo(id);
		if (deadLetter.group() != null) {
			assertThat(deadLetter.group()).as(what).isEqualTo(group);
		}
		if (deadLetter.deliveryCount() != null) {
			assertThat(deadLetter.deliveryCount()).as(what).isEqualTo("1");
		}
		assertThat(deadLetter.exceptionFqcn()).as(what).isNotBlank();
		assertThat(deadLetter.exceptionMessage()).as(what).isNotBlank();
		assertThat(deadLetter.stacktrace()).as(what).isNotBlank();
		if (poison.fqcn() != null) {
			assertThat(deadLetter.names(poison.fqcn(), poison.message()))
				.as("%s: names %s with '%s': %s: %s", what, poison.fqcn(), poison.message(), deadLetter.exceptionFqcn(),
						deadLetter.exceptionMessage())
				.isTrue();
		}
		if (poison.retried()) {
			assertThat(Duration.between(deadLetter.originalTime(), deadLetter.failedAt()))
				.as("%s: time to the dead letter", what)
				.isGreaterThanOrEqualTo(THREE_ATTEMPTS_BACK_OFF);
		}
	}

	private static Map<String, String> headers(String correlationId, String eventType, String version, String orderId,
			String payload) {
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put("payload", payload);
		fields.put("orderId", orderId);
		fields.put("eventVersion", version);
		fields.put("correlationId", correlationId);
		fields.put("eventType", eventType);
		fields.put("contentType", "application/json");
		return fields;
	}

	/**
	 * Spring Cloud Function splits a JSON-array payload even for a consumer when the message has a
	 * {@code user-agent} header, and then never runs it: the case that was acknowledged silently.
	 */
	private static Map<String, String> withUserAgent(Map<String, String> fields) {
		fields.put("user-agent", "curl/8.5.0");
		return fields;
	}

	/**
	 * An entry to inject.
	 * @param name what it is
	 * @param stream where
	 * @param fields its fields
	 * @param groups the groups that must dead-letter it
	 * @param fqcn the exception they must name, a regular expression (each group of
	 * {@code orders} names its service's own), null when not checked
	 * @param message what its message must contain
	 * @param retried whether the binding retries it (3 attempts) before dead-lettering it
	 * @param fix what an operator changes before replaying it, null when it is not replayed
	 */
	private record Poison(String name, String stream, Map<String, String> fields, List<String> groups, String fqcn,
			String message, boolean retried, Map<String, String> fix) {

		/** A poison whose payload is unreadable: refused at once (exception, message), not replayed. */
		Poison(String name, String stream, Map<String, String> fields, List<String> groups, List<String> failure) {
			this(name, stream, fields, groups, failure.get(0), failure.get(1), false, null);
		}

	}

	/**
	 * @return what the services refuse an unreadable payload with on the target's transport
	 * ({@link EventLog#unreadablePayloadFailure})
	 */
	private static List<String> unreadable(FaultTarget faults, String serviceFqcn, String serviceMessage) {
		return faults.events().unreadablePayloadFailure(serviceFqcn, serviceMessage);
	}

}
