package dev.rill.e2e.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rill.e2e.faults.Redis.Entry;

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
 * A payload that is a JSON array is refused the same way, on the binding, before Spring Cloud
 * Function could split it and never run the function.
 * <p>
 * A payload that is not JSON reaches the functions unconverted, as raw bytes; every consumer
 * refuses it with an {@code IllegalArgumentException} (inventory-app and order-app with their
 * {@code UnreadableEventException}), which the bindings do not retry, so it is dead-lettered at
 * the first attempt with the reason in {@code x-exception-message}. The services' own tests
 * count the attempts; here the exception type proves which path it took.
 * <p>
 * Replaying the dead letters through the binder's {@code redisstreams} actuator endpoint is not
 * tested: the services do not expose it ({@code management.endpoints.web.exposure.include:
 * health,info} in {@code config/application.yml}).
 */
@ExtendWith(FaultPlatform.class)
class PoisonEventTests {

	/** The shared configuration's retry: 3 attempts, back-off 200 ms then 400 ms. */
	private static final Duration THREE_ATTEMPTS_BACK_OFF = Duration.ofMillis(600);

	@Test
	void poisonOnOrdersIsDeadLetteredByBothGroups(FaultPlatform faults) {
		String orderId = UUID.randomUUID().toString();
		run(faults, "orders", run -> List.of(
				new Poison("OrderPlaced of an unknown eventVersion", "orders", headers(run, "OrderPlaced", "99", orderId,
						"{\"eventId\":\"" + UUID.randomUUID() + "\",\"orderId\":\"" + orderId
								+ "\",\"customerId\":\"c-poison\",\"email\":\"poison@example.com\",\"items\":[{\"sku\":\""
								+ run + "-apple\",\"quantity\":1}],\"occurredAt\":\"" + Instant.now() + "\"}"),
						List.of("inventory", "order-view"), "java.lang.IllegalArgumentException", "eventVersion", false),
				new Poison("OrderPlaced whose payload is not JSON", "orders",
						headers(run, "OrderPlaced", "1", UUID.randomUUID().toString(),
								"{\"eventId\":\"e-1\",\"orderId\":\"" + UUID.randomUUID() + "\",\"items\":[{\"sku\":"),
						List.of("inventory", "order-view"), "dev\\.rill\\.(inventory|order)\\.events\\.UnreadableEventException",
						"Unreadable OrderPlaced payload", false),
				new Poison("OrderPlaced whose payload is a JSON array, with a user-agent field", "orders",
						withUserAgent(headers(run, "OrderPlaced", "1", UUID.randomUUID().toString(),
								"[{\"eventId\":\"e-1\",\"orderId\":\"" + UUID.randomUUID() + "\"}]")),
						List.of("inventory", "order-view"), "dev\\.rill\\.(inventory|order)\\.events\\.UnreadableEventException",
						"a JSON array, but an event is one JSON object", false)), orderId);
		// Nothing projected (and, checked by run, no stock event, no stock reserved).
		assertThat(faults.client().order(orderId)).as("read model of the poison's order").isEmpty();
	}

	@Test
	void poisonOnStockIsDeadLetteredAfterTheRetries(FaultPlatform faults) {
		String unknownOrder = UUID.randomUUID().toString();
		run(faults, "stock", run -> List.of(
				new Poison("StockReserved of an order nobody placed (retried: it may still arrive)", "stock",
						headers(run, "StockReserved", "1", unknownOrder, "{\"eventId\":\"" + UUID.randomUUID()
								+ "\",\"orderId\":\"" + unknownOrder + "\",\"occurredAt\":\"" + Instant.now() + "\"}"),
						List.of("order"), "dev.rill.order.saga.OrderNotYetKnownException", unknownOrder, true),
				new Poison("StockRejected whose payload is not JSON", "stock",
						headers(run, "StockRejected", "1", UUID.randomUUID().toString(), "not json at all"),
						List.of("order"), "dev.rill.order.events.UnreadableEventException",
						"Unreadable StockRejected payload", false)), unknownOrder);
		assertThat(faults.client().order(unknownOrder)).as("read model of the unknown order").isEmpty();
	}

	@Test
	void poisonOnOrderStatusIsDeadLettered(FaultPlatform faults) {
		String orderId = UUID.randomUUID().toString();
		run(faults, "order-status", run -> List.of(
				new Poison("an eventType notification-app does not read", "order-status",
						headers(run, "OrderShipped", "1", orderId,
								"{\"eventId\":\"" + UUID.randomUUID() + "\",\"orderId\":\"" + orderId
										+ "\",\"customerId\":\"c-poison\",\"email\":\"poison@example.com\",\"occurredAt\":\""
										+ Instant.now() + "\"}"),
						List.of("notification"), "java.lang.IllegalArgumentException", "OrderShipped", false),
				new Poison("OrderConfirmed whose payload is not JSON", "order-status",
						headers(run, "OrderConfirmed", "1", UUID.randomUUID().toString(), "{{{{"),
						List.of("notification"), "java.lang.IllegalArgumentException", "Unreadable order-status payload",
						false)), orderId);
		assertThat(faults.client().notifications(orderId)).as("notifications of the poison's order").isEmpty();
	}

	/**
	 * Inject the poisons into a running load, wait for their dead letters and check them, then
	 * run the oracle (which expects exactly those dead letters) and check that no event about the
	 * poison's order reached the streams downstream.
	 * @param poisons the entries to inject, given the run's name
	 */
	private static void run(FaultPlatform faults, String stream, Function<String, List<Poison>> poisons,
			String poisonOrder) {
		FaultOracle oracle = FaultOracle.begin(faults, "poison events on " + stream);
		Redis redis = faults.redis();
		String run = "poison-" + stream + "-" + ThreadLocalRandom.current().nextInt(1000, 10000);
		List<Poison> injected = poisons.apply(run);
		Map<String, Long> expectedDeadLetters = new LinkedHashMap<>();
		Map<Poison, String> ids = new LinkedHashMap<>();
		Map<String, Entry> deadLetters = new LinkedHashMap<>();
		try (OrderLoad load = new OrderLoad(run, faults.client(), 2, 50, 2000).start()) {
			load.awaitAccepted(100, Duration.ofSeconds(60));
			for (Poison poison : injected) {
				ids.put(poison, redis.add(poison.stream(), poison.fields()));
				poison.groups().forEach(group -> expectedDeadLetters.merge(stream + "." + group + ".dlq", 1L, Long::sum));
			}
			long acceptedAtInjection = load.acceptedCount();
			load.awaitAccepted((int) acceptedAtInjection + 100, Duration.ofSeconds(60));
			for (Poison poison : injected) {
				for (String group : poison.groups()) {
					String dlq = stream + "." + group + ".dlq";
					Entry deadLetter = await(poison.name() + " in " + dlq).atMost(Duration.ofSeconds(30))
						.pollInterval(Duration.ofMillis(200))
						.until(() -> find(redis, dlq, ids.get(poison)), Optional::isPresent)
						.get();
					deadLetters.put(poison.name() + " -> " + dlq, deadLetter);
					checkDeadLetter(poison, ids.get(poison), group, deadLetter);
				}
			}
			load.stop();
			StringBuilder details = new StringBuilder("dead-lettered: ");
			deadLetters.forEach((what, entry) -> details.append(what)
				.append(" (")
				.append(entry.field("x-exception-fqcn"))
				.append(", ")
				.append(Duration.between(originalTime(entry.field("x-original-entry-id")),
						Instant.parse(entry.field("x-failed-at"))).toMillis())
				.append(" ms after it was added); "));
			details.append(load.acceptedCount() - acceptedAtInjection).append(" orders accepted after the poison");
			oracle.verify(load, details.toString(), expectedDeadLetters);
		}
		for (String downstream : List.of("stock", "order-status")) {
			if (!downstream.equals(stream)) {
				assertThat(redis.entriesAfter(downstream, "0-0").stream().map(entry -> entry.field("orderId")))
					.as("events about the poison's order on %s", downstream).doesNotContain(poisonOrder);
			}
		}
	}

	private static Optional<Entry> find(Redis redis, String deadLetterStream, String originalId) {
		return redis.entriesAfter(deadLetterStream, "0-0")
			.stream()
			.filter(entry -> originalId.equals(entry.field("x-original-entry-id")))
			.findFirst();
	}

	private static void checkDeadLetter(Poison poison, String id, String group, Entry deadLetter) {
		String what = poison.name() + " dead-lettered by " + group;
		poison.fields().forEach((name, value) -> assertThat(deadLetter.field(name)).as("%s: field %s", what, name)
			.isEqualTo(value));
		assertThat(deadLetter.field("x-original-stream")).as(what).isEqualTo(poison.stream());
		assertThat(deadLetter.field("x-original-group")).as(what).isEqualTo(group);
		assertThat(deadLetter.field("x-delivery-count")).as(what).isEqualTo("1");
		assertThat(deadLetter.field("x-exception-fqcn")).as(what).isNotBlank();
		assertThat(deadLetter.field("x-exception-message")).as(what).isNotBlank();
		assertThat(deadLetter.field("x-exception-stacktrace")).as(what).isNotBlank();
		Instant failedAt = Instant.parse(deadLetter.field("x-failed-at"));
		assertThat(deadLetter.field("x-exception-fqcn")).as(what).matches(poison.fqcn());
		assertThat(deadLetter.field("x-exception-message")).as(what).contains(poison.message());
		if (poison.retried()) {
			assertThat(Duration.between(originalTime(id), failedAt)).as("%s: time to the dead letter", what)
				.isGreaterThanOrEqualTo(THREE_ATTEMPTS_BACK_OFF);
		}
	}

	/** When Redis added the entry: the time part of its id. */
	private static Instant originalTime(String id) {
		return Instant.ofEpochMilli(Long.parseLong(id.substring(0, id.indexOf('-'))));
	}

	private static Map<String, String> headers(String run, String eventType, String version, String orderId,
			String payload) {
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put("payload", payload);
		fields.put("orderId", orderId);
		fields.put("eventVersion", version);
		fields.put("correlationId", "injected-" + run);
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
	 * @param fqcn the exception they must name (a regular expression: each group names its service's own)
	 * @param message what its message must contain
	 * @param retried whether the binding retries it (3 attempts) before dead-lettering it
	 */
	private record Poison(String name, String stream, Map<String, String> fields, List<String> groups, String fqcn,
			String message, boolean retried) {
	}

}
