package dev.rill.e2e.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.assertj.core.api.SoftAssertions;

import dev.rill.e2e.ParallelCalls;
import dev.rill.e2e.faults.OrderLoad.Attempt;
import dev.rill.e2e.platform.RillClient;
import dev.rill.e2e.platform.RillClient.Item;
import dev.rill.e2e.platform.RillClient.Notification;
import dev.rill.e2e.platform.RillClient.OrderView;
import dev.rill.e2e.platform.RillClient.StockLevel;
import dev.rill.e2e.platform.Service;
import dev.rill.e2e.platform.ServiceProcess;

import static org.awaitility.Awaitility.await;

/**
 * The oracle of every fault test: the orders the platform accepted (202) must be a subset of the
 * orders that reached a final state; duplicates are allowed but must change nothing.
 * <p>
 * {@link #begin} notes where the streams, the dead-letter streams and the services' logs stand;
 * {@link #verify} waits until every consumer group has read and acknowledged everything (pending
 * 0, nothing undelivered), reads what became of every order (HTTP, as a customer would) and of
 * every {@code OrderPlaced} of the run in the {@code orders} stream (which also holds the orders
 * whose client got no answer), prints one line
 * <pre>
 * oracle[kill -9 inventory-app] accepted=1480 final=1480 lost=0 duplicates delivered=97 | ...
 * </pre>
 * and checks, all at once:
 * <ul>
 * <li>every accepted order is in the stream and decided (CONFIRMED/REJECTED) and notified: no loss;</li>
 * <li>every order in the stream is decided and notified, whatever its client was told;</li>
 * <li>no order was placed whose client was answered an error (a 503 means "nothing was placed");</li>
 * <li>one notification record per order, with its final status;</li>
 * <li>stock adds up: per sku, reserved = what the confirmed orders hold, available = the rest; the
 * apples (one per order) go to exactly min(stock, apple orders) orders;</li>
 * <li>no new dead letter, every group's pending count 0.</li>
 * </ul>
 * The events are read from the platform's transport ({@link FaultTarget#events()}): on the Kafka
 * binder the topics, where "pending 0" is "every group's lag 0" and the dead letters are the
 * binder's {@code error.<topic>.<group>} topics.
 * <p>
 * <b>Duplicates delivered</b> is what the consumers' idempotency absorbed, counted from their
 * logs: {@code OrderPlaced} answered before (inventory), stock decisions applied before (order),
 * notices already sent (notification). Events re-sent to the next stream (the same event again)
 * and notices the channel sent twice (a crash between sending and recording it; at least once)
 * are printed too.
 */
final class FaultOracle {

	/** The saga's streams and their groups, upstream first (see {@link #drained()}). */
	static final Map<String, List<String>> GROUPS = groups();

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final Pattern NOTIFIED = Pattern.compile("Notified \\S+ that order (\\S+) is (\\S+)");

	/** Log lines of a duplicate absorbed, per service. */
	private static final Map<Service, List<String>> DUPLICATE_LINES = Map.of(Service.INVENTORY,
			List.of("was answered before"), Service.ORDER,
			List.of("was applied before; announcing", "changes nothing", "contradicts it"), Service.NOTIFICATION,
			List.of("was already notified as", "by a concurrent delivery too"));

	private final FaultTarget faults;

	private final String name;

	private final EventLog.Mark mark;

	private final Map<String, Long> deadLetters;

	private final Map<Service, Integer> logOffsets = new HashMap<>();

	private final long started = System.nanoTime();

	/** Answers after which an order may have been placed all the same; see {@link #outcomeUnknownFor}. */
	private final Set<String> outcomeUnknown = new LinkedHashSet<>();

	/** Accepted orders Redis itself may lose; see {@link #mayBeLostByRedis}. */
	private Predicate<Attempt> mayBeLostByRedis = attempt -> false;

	private FaultOracle(FaultTarget faults, String name) {
		this.faults = faults;
		this.name = name;
		this.mark = faults.events().mark();
		this.deadLetters = faults.events().deadLetters();
		for (Service service : Service.values()) {
			this.logOffsets.put(service, faults.platform().service(service).log().length());
		}
	}

	/**
	 * @param faults the platform, on either binder
	 * @param name the fault, for the printed line
	 * @return an oracle that knows where everything stands now
	 */
	static FaultOracle begin(FaultTarget faults, String name) {
		return new FaultOracle(faults, name);
	}

	/**
	 * Requests answered so may have placed their order all the same, e.g. {@code HTTP 503} from
	 * an order-app whose send timed out while Redis did not answer, and which Redis executed when
	 * it answered again ("outcome unknown"). Such orders are still followed (if placed, they must
	 * be final); they are only not counted as placed although an error was answered.
	 * @param answer an {@link Attempt#outcome()}, e.g. {@code HTTP 503}
	 * @return this
	 */
	FaultOracle outcomeUnknownFor(String answer) {
		this.outcomeUnknown.add(answer);
		return this;
	}

	/**
	 * Accepted orders that Redis itself may lose, as it says it may (e.g. the writes of the last
	 * second before a crash with {@code appendfsync everysec}): such an order whose
	 * {@code OrderPlaced} is not in the stream at all is not counted against the platform. Any
	 * other accepted order missing, and every order in the stream not final, still fail the test.
	 * @param orders which accepted orders may be missing
	 * @return this
	 */
	FaultOracle mayBeLostByRedis(Predicate<Attempt> orders) {
		this.mayBeLostByRedis = orders;
		return this;
	}

	private static Map<String, List<String>> groups() {
		Map<String, List<String>> groups = new LinkedHashMap<>();
		groups.put("orders", List.of("inventory", "order-view"));
		groups.put("stock", List.of("order"));
		groups.put("order-status", List.of("notification"));
		return java.util.Collections.unmodifiableMap(groups);
	}

	/** Entries per dead-letter stream. */
	static Map<String, Long> deadLetters(Redis redis) {
		return new RedisEventLog(redis, GROUPS).deadLetters();
	}

	/**
	 * Whether every group of the saga has been handed every entry and acknowledged it.
	 * @see EventLog#drained()
	 */
	boolean drained() {
		return this.faults.events().drained();
	}

	/** Every group's pending count (its lag on Kafka), e.g. {@code orders/inventory=0}. */
	Map<String, Long> pending() {
		return this.faults.events().unacknowledged();
	}

	/**
	 * Wait until the platform has handled everything, then print the oracle line and check it.
	 * @param load the orders of the run (stopped)
	 * @param details what the test wants printed as well (how many were in flight at the kill...)
	 * @return the numbers
	 */
	Result verify(OrderLoad load, String details) {
		return verify(load, details, Map.of());
	}

	/**
	 * @param load the orders of the run (stopped)
	 * @param details what the test wants printed as well
	 * @param expectedDeadLetters per dead-letter stream, how many entries the test itself caused
	 * @return the numbers
	 * @see #verify(OrderLoad, String)
	 */
	Result verify(OrderLoad load, String details, Map<String, Long> expectedDeadLetters) {
		await("every consumer group drained after " + this.name).atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofMillis(300))
			.until(() -> drained() && drained());
		RillClient client = this.faults.client();
		Redis redis = this.faults.redis();
		EventLog events = this.faults.events();
		String prefix = load.run() + "-";

		// What was placed: every OrderPlaced of the run, whether its client got an answer or not.
		Map<String, Placed> placed = new LinkedHashMap<>();
		for (EventLog.Event entry : this.mark.eventsSince("orders")) {
			String correlationId = entry.field("correlationId");
			if (correlationId != null && correlationId.startsWith(prefix)) {
				JsonNode payload = json(entry.field("payload"));
				List<Item> items = new ArrayList<>();
				payload.path("items").forEach(item -> items.add(new Item(item.path("sku").asText(), item.path("quantity").asInt())));
				placed.put(payload.path("orderId").asText(), new Placed(correlationId, items));
			}
		}
		Set<String> runOrders = placed.keySet();
		Map<String, Long> resent = new LinkedHashMap<>();
		for (String stream : List.of("stock", "order-status")) {
			List<String> ids = this.mark.eventsSince(stream)
				.stream()
				.map(entry -> entry.field("orderId"))
				.filter(runOrders::contains)
				.toList();
			resent.put(stream, ids.size() - ids.stream().distinct().count());
		}

		List<Attempt> accepted = load.accepted();
		Set<String> orderIds = new LinkedHashSet<>();
		accepted.forEach(attempt -> orderIds.add(attempt.orderId()));
		orderIds.addAll(runOrders);
		Map<String, Outcome> outcomes = readOutcomes(client, orderIds);

		Map<String, String> logs = new HashMap<>();
		for (Service service : Service.values()) {
			ServiceProcess process = this.faults.platform().service(service);
			String log = process.log();
			logs.put(service.artifact(), log.substring(Math.min(this.logOffsets.get(service), log.length())));
		}
		Map<String, Long> duplicates = new LinkedHashMap<>();
		for (Service service : Service.values()) {
			duplicates.put(service.artifact().replace("-app", ""), logs.get(service.artifact())
				.lines()
				.filter(line -> line.contains("[corr=" + prefix))
				.filter(line -> DUPLICATE_LINES.get(service).stream().anyMatch(line::contains))
				.count());
		}
		Map<String, Long> notices = new HashMap<>();
		Matcher notified = NOTIFIED.matcher(logs.get(Service.NOTIFICATION.artifact()));
		while (notified.find()) {
			if (orderIds.contains(notified.group(1))) {
				notices.merge(notified.group(1), 1L, Long::sum);
			}
		}
		long noticesTwice = notices.values().stream().mapToLong(n -> n - 1).sum();

		Map<String, Attempt> attempts = load.attempts();
		List<String> lostOrders = accepted.stream()
			.map(Attempt::orderId)
			.filter(id -> !outcomes.get(id).complete() || !runOrders.contains(id))
			.toList();
		long decided = accepted.size() - lostOrders.size();
		Map<String, Long> placedWithoutAccept = runOrders.stream()
			.map(id -> attempts.get(placed.get(id).correlationId()))
			.filter(attempt -> attempt == null || !attempt.accepted())
			.collect(Collectors.groupingBy(attempt -> (attempt != null) ? attempt.outcome() : "no request",
					TreeMap::new, Collectors.counting()));
		Map<String, Long> newDeadLetters = new TreeMap<>();
		events.deadLetters().forEach((key, length) -> {
			long added = length - this.deadLetters.getOrDefault(key, 0L);
			if (added != 0) {
				newDeadLetters.put(key, added);
			}
		});
		Map<String, Long> pending = pending();
		// Read-model records of the run left PLACED without an event: the record is written before
		// the event is sent, so an order-app that dies in between leaves one (its client got no answer).
		List<String> orphans = redis.placedRecords("\"" + prefix).stream().filter(id -> !runOrders.contains(id)).toList();
		long confirmed = runOrders.stream().filter(id -> outcomes.get(id).is("CONFIRMED")).count();
		long rejected = runOrders.stream().filter(id -> outcomes.get(id).is("REJECTED")).count();
		long duplicatesDelivered = duplicates.values().stream().mapToLong(Long::longValue).sum();

		Result result = new Result(accepted.size(), decided, lostOrders.size(), duplicatesDelivered, runOrders.size(),
				confirmed, rejected, noticesTwice, resent, newDeadLetters, pending);
		System.out.printf("oracle[%s] accepted=%d final=%d lost=%d duplicates delivered=%d"
				+ " | absorbed per service %s, events re-sent %s, notices sent twice %d"
				+ " | not accepted %s, placed without a 202 %s"
				+ " | placed=%d confirmed=%d rejected=%d dead letters=%s %s=%s records PLACED without event=%d%s"
				+ " | %.1f s%n", this.name,
				result.accepted(), result.decided(), result.lost(), result.duplicatesDelivered(), duplicates, resent,
				noticesTwice, load.notAccepted(), placedWithoutAccept, result.placed(), confirmed, rejected,
				newDeadLetters, events.unacknowledgedName(), pending.values().stream().mapToLong(Long::longValue).sum(), orphans.size(),
				details.isEmpty() ? "" : " | " + details, (System.nanoTime() - this.started) / 1e9);

		Set<String> lostByRedis = accepted.stream()
			.filter(this.mayBeLostByRedis)
			.map(Attempt::orderId)
			.filter(id -> !runOrders.contains(id))
			.collect(Collectors.toSet());
		SoftAssertions softly = new SoftAssertions();
		softly.assertThat(lostOrders.stream().filter(id -> !lostByRedis.contains(id)).toList())
			.as("accepted orders lost (not in the stream, or not decided and notified)")
			.isEmpty();
		softly.assertThat(runOrders.stream().filter(id -> !outcomes.get(id).complete()).toList())
			.as("orders in the stream not decided and notified").isEmpty();
		softly.assertThat(placedWithoutAccept.keySet()
			.stream()
			.filter(outcome -> outcome.startsWith("HTTP ") && !this.outcomeUnknown.contains(outcome))
			.toList())
			.as("answers of requests whose order was placed although an error was answered").isEmpty();
		List<String> wrongNotices = new ArrayList<>();
		outcomes.values().forEach(outcome -> {
			if (outcome.order() != null && outcome.order().decided() && (outcome.notifications().size() != 1
					|| !outcome.notifications().get(0).status().equals(outcome.order().status()))) {
				wrongNotices.add(outcome.orderId() + " " + outcome.order().status() + ": " + outcome.notifications());
			}
		});
		softly.assertThat(wrongNotices).as("orders without exactly one notification of their status").isEmpty();
		checkStock(softly, client, load, placed, outcomes);
		softly.assertThat(newDeadLetters).as("new dead letters").isEqualTo(new TreeMap<>(expectedDeadLetters));
		softly.assertThat(pending.values()).as("%s per group %s", events.unacknowledgedName(), pending)
			.allMatch(n -> n == 0);
		softly.assertAll();
		return result;
	}

	private static void checkStock(SoftAssertions softly, RillClient client, OrderLoad load, Map<String, Placed> placed,
			Map<String, Outcome> outcomes) {
		Map<String, Long> reserved = new HashMap<>();
		long appleOrders = 0;
		long confirmedWithApple = 0;
		for (Map.Entry<String, Placed> order : placed.entrySet()) {
			boolean apple = order.getValue().items().stream().anyMatch(item -> item.sku().equals(load.sku("apple")));
			appleOrders += apple ? 1 : 0;
			if (outcomes.get(order.getKey()).is("CONFIRMED")) {
				confirmedWithApple += apple ? 1 : 0;
				order.getValue().items().forEach(item -> reserved.merge(item.sku(), (long) item.quantity(), Long::sum));
			}
		}
		OrderLoad.STOCK.forEach((suffix, initial) -> {
			String sku = load.sku(suffix);
			long held = reserved.getOrDefault(sku, 0L);
			softly.assertThat(client.stock(sku)).as("stock of %s", sku)
				.hasValue(new StockLevel(sku, initial - held, held));
		});
		softly.assertThat(confirmedWithApple).as("confirmed orders with an apple (%d apples, %d such orders)",
				OrderLoad.STOCK.get("apple"), appleOrders).isEqualTo(Math.min(OrderLoad.STOCK.get("apple"), appleOrders));
		softly.assertThat(client.stock(load.sku("ghost"))).as("stock of the unknown sku").isEmpty();
		softly.assertThat(placed.entrySet()
			.stream()
			.filter(order -> order.getValue().items().get(0).sku().equals(load.sku("ghost")))
			.filter(Predicate.not(order -> outcomes.get(order.getKey()).is("REJECTED")))
			.map(Map.Entry::getKey)
			.toList()).as("orders of the unknown sku not rejected").isEmpty();
	}

	/** Read every order and its notifications, again for those not complete yet, for up to 20 s. */
	private static Map<String, Outcome> readOutcomes(RillClient client, Set<String> orderIds) {
		Map<String, Outcome> outcomes = new HashMap<>();
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		Set<String> toRead = new LinkedHashSet<>(orderIds);
		while (true) {
			List<Callable<Outcome>> reads = toRead.stream()
				.<Callable<Outcome>>map(id -> () -> new Outcome(id, client.order(id).orElse(null), client.notifications(id)))
				.toList();
			for (Outcome outcome : runAll(reads)) {
				outcomes.put(outcome.orderId(), outcome);
				if (outcome.complete()) {
					toRead.remove(outcome.orderId());
				}
			}
			if (toRead.isEmpty() || System.nanoTime() > deadline) {
				return outcomes;
			}
			sleep(Duration.ofMillis(500));
		}
	}

	/** The oracle's reads of every order and {@link ServiceHealth}'s polls: six at a time. */
	static <T> List<T> runAll(List<Callable<T>> calls) {
		return ParallelCalls.runAll(6, calls);
	}

	static int compareIds(String a, String b) {
		String[] left = a.split("-", 2);
		String[] right = b.split("-", 2);
		int byTime = Long.compare(Long.parseLong(left[0]), Long.parseLong(right[0]));
		return (byTime != 0) ? byTime : Long.compare(Long.parseLong(left[1]), Long.parseLong(right[1]));
	}

	private static JsonNode json(String text) {
		try {
			return JSON.readTree(text);
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException("Not JSON: " + text, ex);
		}
	}

	static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private record Placed(String correlationId, List<Item> items) {
	}

	private record Outcome(String orderId, OrderView order, List<Notification> notifications) {

		boolean complete() {
			return this.order != null && this.order.decided() && !this.notifications.isEmpty();
		}

		boolean is(String status) {
			return this.order != null && status.equals(this.order.status());
		}

	}

	/**
	 * The numbers of a run.
	 * @param accepted orders answered 202
	 * @param decided accepted orders decided and notified
	 * @param lost accepted orders that were not
	 * @param duplicatesDelivered deliveries the consumers' idempotency absorbed
	 * @param placed orders of the run in the stream (accepted or not)
	 * @param confirmed confirmed among them
	 * @param rejected rejected among them
	 * @param noticesSentTwice notices the channel sent again
	 * @param resent per stream, events sent again (same order, same outcome)
	 * @param newDeadLetters per dead-letter stream, entries added
	 * @param pending per group, entries pending at the end
	 */
	record Result(long accepted, long decided, long lost, long duplicatesDelivered, long placed, long confirmed,
			long rejected, long noticesSentTwice, Map<String, Long> resent, Map<String, Long> newDeadLetters,
			Map<String, Long> pending) {
	}

}
