package dev.rill.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.awaitility.core.ConditionTimeoutException;

import dev.rill.e2e.platform.RillClient;
import dev.rill.e2e.platform.RillClient.Item;
import dev.rill.e2e.platform.RillClient.Notification;
import dev.rill.e2e.platform.RillClient.OrderRequest;
import dev.rill.e2e.platform.RillClient.OrderView;
import dev.rill.e2e.platform.RillClient.Placement;
import dev.rill.e2e.platform.RillClient.StockLevel;

import static org.awaitility.Awaitility.await;

/**
 * The saga's workload and its oracle: stock for four skus, 200 orders of which the stock
 * allows exactly 110, five invalid requests, ten retried placements. Computes what happened to
 * every accepted order from the services' HTTP APIs only.
 * <p>
 * The plan (shuffled with a fixed seed, so skus interleave):
 * <table>
 * <tr><th>kind</th><th>orders</th><th>items</th><th>stock</th><th>confirmed</th></tr>
 * <tr><td>APPLE</td><td>90</td><td>apple x1 (every third also kiwi x1)</td><td>apple 60</td><td>60</td></tr>
 * <tr><td>PEAR</td><td>30</td><td>pear x2</td><td>pear 40</td><td>20</td></tr>
 * <tr><td>KIWI</td><td>30</td><td>kiwi x1</td><td>kiwi 10000</td><td>30</td></tr>
 * <tr><td>KIWI_PLUM</td><td>25</td><td>kiwi x1, plum x1</td><td>plum 0</td><td>0 (and no kiwi reserved)</td></tr>
 * <tr><td>GHOST</td><td>25</td><td>ghost x1</td><td>no stock record</td><td>0 (unknown sku)</td></tr>
 * </table>
 */
final class SagaScenario {

	static final Map<String, Long> STOCK = stock();

	static final Map<Kind, Integer> EXPECTED_CONFIRMED = Map.of(Kind.APPLE, 60, Kind.PEAR, 20, Kind.KIWI, 30,
			Kind.KIWI_PLUM, 0, Kind.GHOST, 0);

	static final int RETRIED = 10;

	private static final int THREADS = 8;

	private final String run;

	private final RillClient client;

	private final List<PlannedOrder> plan;

	private final Map<Integer, Placement> placements = new ConcurrentHashMap<>();

	private final Map<Integer, Placement> retries = new ConcurrentHashMap<>();

	private final List<Integer> invalidStatuses = Collections.synchronizedList(new ArrayList<>());

	SagaScenario(String run, RillClient client) {
		this.run = run;
		this.client = client;
		this.plan = plan(run);
	}

	enum Kind {

		APPLE, PEAR, KIWI, KIWI_PLUM, GHOST

	}

	record PlannedOrder(int index, Kind kind, List<Item> items, String correlationId, String idempotencyKey) {
	}

	/**
	 * What became of one accepted order.
	 */
	record Outcome(PlannedOrder planned, String orderId, OrderView order, List<Notification> notifications) {

		boolean decided() {
			return this.order != null && this.order.decided();
		}

		String status() {
			return (this.order != null) ? this.order.status() : "MISSING";
		}

	}

	/**
	 * The oracle's numbers.
	 * @param accepted orders answered 202 (distinct ids)
	 * @param decided accepted orders that reached CONFIRMED or REJECTED
	 * @param lost accepted orders not decided or never notified
	 * @param duplicates notifications beyond the first per order
	 * @param confirmed confirmed orders
	 * @param rejected rejected orders
	 */
	record Oracle(int accepted, int decided, int lost, int duplicates, int confirmed, int rejected) {

		String line(String run) {
			return "oracle[" + run + "] accepted=" + this.accepted + " final=" + this.decided + " lost=" + this.lost
					+ " duplicates=" + this.duplicates + " confirmed=" + this.confirmed + " rejected="
					+ this.rejected + " (stock allows " + EXPECTED_CONFIRMED.values().stream().mapToInt(i -> i).sum()
					+ ")";
		}

	}

	private static Map<String, Long> stock() {
		Map<String, Long> stock = new LinkedHashMap<>();
		stock.put("apple", 60L);
		stock.put("pear", 40L);
		stock.put("kiwi", 10_000L);
		stock.put("plum", 0L);
		return Collections.unmodifiableMap(stock);
	}

	private static List<PlannedOrder> plan(String run) {
		List<Kind> kinds = new ArrayList<>();
		kinds.addAll(Collections.nCopies(90, Kind.APPLE));
		kinds.addAll(Collections.nCopies(30, Kind.PEAR));
		kinds.addAll(Collections.nCopies(30, Kind.KIWI));
		kinds.addAll(Collections.nCopies(25, Kind.KIWI_PLUM));
		kinds.addAll(Collections.nCopies(25, Kind.GHOST));
		Collections.shuffle(kinds, new Random(42));
		List<PlannedOrder> plan = new ArrayList<>();
		for (int i = 0; i < kinds.size(); i++) {
			Kind kind = kinds.get(i);
			List<Item> items = switch (kind) {
				case APPLE -> (i % 3 == 0) ? List.of(new Item("apple", 1), new Item("kiwi", 1))
						: List.of(new Item("apple", 1));
				case PEAR -> List.of(new Item("pear", 2));
				case KIWI -> List.of(new Item("kiwi", 1));
				case KIWI_PLUM -> List.of(new Item("kiwi", 1), new Item("plum", 1));
				case GHOST -> List.of(new Item("ghost", 1));
			};
			String id = String.format("%s-%04d", run, i);
			plan.add(new PlannedOrder(i, kind, items, id, "key-" + id));
		}
		return List.copyOf(plan);
	}

	List<PlannedOrder> plan() {
		return this.plan;
	}

	/**
	 * Set the stock, then place every planned order, the invalid requests and the retries, 8
	 * requests at a time.
	 */
	void placeOrders() {
		STOCK.forEach(this.client::setStock);
		List<Callable<Object>> calls = new ArrayList<>();
		for (PlannedOrder order : this.plan) {
			calls.add(() -> this.placements.put(order.index(), place(order)));
		}
		for (OrderRequest invalid : invalidOrders()) {
			calls.add(() -> this.invalidStatuses.add(this.client.placeOrder(invalid, null, this.run + "-invalid").status()));
		}
		runAll(calls);
		// The same Idempotency-Key again, as a client whose first answer got lost would.
		List<Callable<Object>> retried = new ArrayList<>();
		for (PlannedOrder order : this.plan.subList(0, RETRIED)) {
			retried.add(() -> this.retries.put(order.index(), place(order)));
		}
		runAll(retried);
	}

	private Placement place(PlannedOrder order) {
		return this.client.placeOrder(new OrderRequest("customer-" + (order.index() % 17),
				"customer" + order.index() + "@example.com", order.items()), order.idempotencyKey(),
				order.correlationId());
	}

	private static List<OrderRequest> invalidOrders() {
		return List.of(new OrderRequest("c-1", "ada@example.com", List.of()),
				new OrderRequest("c-1", "ada@example.com", List.of(new Item("apple", 0))),
				new OrderRequest("c-1", "not-an-email", List.of(new Item("apple", 1))),
				new OrderRequest(null, "ada@example.com", List.of(new Item("apple", 1))),
				new OrderRequest("c-1", "ada@example.com", List.of(new Item("apple", 10_001))));
	}

	Map<Integer, Placement> placements() {
		return this.placements;
	}

	Map<Integer, Placement> retries() {
		return this.retries;
	}

	List<Integer> invalidStatuses() {
		return this.invalidStatuses;
	}

	/**
	 * Wait (up to {@code timeout}) until every accepted order is decided and notified at least
	 * once; a timeout is not an error here: the outcomes then show what is missing.
	 * @param timeout how long to wait
	 * @return what became of every accepted order
	 */
	List<Outcome> awaitOutcomes(Duration timeout) {
		Map<Integer, Outcome> done = new ConcurrentHashMap<>();
		try {
			await().atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> {
				List<Callable<Object>> checks = new ArrayList<>();
				for (PlannedOrder order : this.plan) {
					Placement placement = this.placements.get(order.index());
					if (done.containsKey(order.index()) || placement == null || !placement.accepted()) {
						continue;
					}
					checks.add(() -> {
						Outcome outcome = outcome(order, placement.orderId());
						if (outcome.decided() && !outcome.notifications().isEmpty()) {
							done.put(order.index(), outcome);
						}
						return null;
					});
				}
				runAll(checks);
				return done.size() == accepted().size();
			});
		}
		catch (ConditionTimeoutException ex) {
			// Reported by the oracle and the assertions, order by order.
		}
		return outcomes();
	}

	/**
	 * @return what became of every accepted order, read now
	 */
	List<Outcome> outcomes() {
		List<Callable<Outcome>> reads = new ArrayList<>();
		for (PlannedOrder order : this.plan) {
			Placement placement = this.placements.get(order.index());
			if (placement != null && placement.accepted()) {
				reads.add(() -> outcome(order, placement.orderId()));
			}
		}
		return runAll(reads);
	}

	private Outcome outcome(PlannedOrder order, String orderId) {
		Optional<OrderView> view = this.client.order(orderId);
		return new Outcome(order, orderId, view.orElse(null), this.client.notifications(orderId));
	}

	List<PlannedOrder> accepted() {
		return this.plan.stream()
			.filter(order -> this.placements.containsKey(order.index()) && this.placements.get(order.index()).accepted())
			.toList();
	}

	static Oracle oracle(List<Outcome> outcomes) {
		int accepted = (int) outcomes.stream().map(Outcome::orderId).distinct().count();
		int decided = (int) outcomes.stream().filter(Outcome::decided).count();
		int lost = (int) outcomes.stream().filter(o -> !o.decided() || o.notifications().isEmpty()).count();
		int duplicates = outcomes.stream().mapToInt(o -> Math.max(0, o.notifications().size() - 1)).sum();
		int confirmed = (int) outcomes.stream().filter(o -> "CONFIRMED".equals(o.status())).count();
		int rejected = (int) outcomes.stream().filter(o -> "REJECTED".equals(o.status())).count();
		return new Oracle(accepted, decided, lost, duplicates, confirmed, rejected);
	}

	/**
	 * @param outcomes the outcomes
	 * @return per sku, the quantity the confirmed orders hold
	 */
	static Map<String, Long> reservedByConfirmedOrders(List<Outcome> outcomes) {
		Map<String, Long> reserved = new LinkedHashMap<>();
		STOCK.keySet().forEach(sku -> reserved.put(sku, 0L));
		outcomes.stream()
			.filter(o -> "CONFIRMED".equals(o.status()))
			.flatMap(o -> o.planned().items().stream())
			.forEach(item -> reserved.merge(item.sku(), (long) item.quantity(), Long::sum));
		return reserved;
	}

	/**
	 * @return the stock level of every sku of the plan (ghost has none)
	 */
	Map<String, Optional<StockLevel>> stockLevels() {
		Map<String, Optional<StockLevel>> levels = new LinkedHashMap<>();
		for (String sku : List.of("apple", "pear", "kiwi", "plum", "ghost")) {
			levels.put(sku, this.client.stock(sku));
		}
		return levels;
	}

	static Map<Kind, Long> confirmedByKind(List<Outcome> outcomes) {
		return outcomes.stream()
			.filter(o -> "CONFIRMED".equals(o.status()))
			.collect(Collectors.groupingBy(o -> o.planned().kind(), Collectors.counting()));
	}

	private static <T> List<T> runAll(List<? extends Callable<T>> calls) {
		return ParallelCalls.runAll(THREADS, calls);
	}

}
