package dev.rill.e2e.faults;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import dev.rill.e2e.platform.RillClient;
import dev.rill.e2e.platform.RillClient.Item;
import dev.rill.e2e.platform.RillClient.OrderRequest;
import dev.rill.e2e.platform.RillClient.Placement;

import static org.awaitility.Awaitility.await;

/**
 * Customers placing orders over HTTP while a fault happens: a few threads, each at its own
 * steady pace (no burst to catch up after an outage), until {@link #stop()} or a maximum number
 * of orders. Every request has a correlation id of its own ({@code <run>-<n>}), which the
 * {@code OrderPlaced} event carries, so the oracle can tell for every event in the stream what
 * its client was answered.
 * <p>
 * The orders, by number {@code n}: a fifth {@code ghost x1} (no stock record: rejected), a fifth
 * {@code kiwi x2} (plenty), a fifth {@code apple x1 + kiwi x1}, two fifths {@code apple x1}; the
 * run's {@link #STOCK} of apples runs out during the run, so both outcomes occur and
 * all-or-nothing reservations are exercised. The skus are the run's own ({@code <run>-apple}).
 */
final class OrderLoad implements AutoCloseable {

	/** What every run starts with, per sku suffix. */
	static final Map<String, Long> STOCK = Map.of("apple", 400L, "kiwi", 1_000_000L);

	private final String run;

	private final RillClient client;

	private final int threads;

	private final Duration interval;

	private final int maxOrders;

	private final AtomicInteger next = new AtomicInteger();

	private final Map<String, Attempt> attempts = new ConcurrentHashMap<>();

	/** When each request was sent and answered, by correlation id. */
	private final Map<String, Timing> timings = new ConcurrentHashMap<>();

	private final Collection<Thread> workers = new ConcurrentLinkedQueue<>();

	private volatile boolean stopped;

	/**
	 * @param run the run's name: prefix of skus and correlation ids
	 * @param client the platform's client
	 * @param threads how many customers at once
	 * @param ordersPerSecond the overall pace
	 * @param maxOrders stop after this many attempts
	 */
	OrderLoad(String run, RillClient client, int threads, int ordersPerSecond, int maxOrders) {
		this.run = run;
		this.client = client;
		this.threads = threads;
		this.interval = Duration.ofNanos(1_000_000_000L * threads / ordersPerSecond);
		this.maxOrders = maxOrders;
	}

	/** Set the run's stock, then start placing orders. */
	OrderLoad start() {
		STOCK.forEach((sku, available) -> this.client.setStock(sku(sku), available));
		for (int i = 0; i < this.threads; i++) {
			Thread worker = new Thread(this::placeOrders, this.run + "-customer-" + i);
			worker.setDaemon(true);
			this.workers.add(worker);
			worker.start();
		}
		return this;
	}

	String sku(String suffix) {
		return this.run + "-" + suffix;
	}

	String run() {
		return this.run;
	}

	private void placeOrders() {
		while (!this.stopped) {
			int n = this.next.getAndIncrement();
			if (n >= this.maxOrders) {
				return;
			}
			long started = System.nanoTime();
			Attempt attempt = place(n);
			this.timings.put(attempt.correlationId(), new Timing(started, System.nanoTime()));
			this.attempts.put(attempt.correlationId(), attempt);
			long left = this.interval.toNanos() - (System.nanoTime() - started);
			if (left > 0) {
				sleep(left);
			}
		}
	}

	private Attempt place(int n) {
		String correlationId = String.format("%s-%05d", this.run, n);
		List<Item> items = items(n);
		OrderRequest order = new OrderRequest("customer-" + (n % 23), "customer" + n + "@example.com", items);
		try {
			Placement placement = this.client.placeOrder(order, null, correlationId);
			return new Attempt(correlationId, items, placement.accepted() ? "202" : "HTTP " + placement.status(),
					placement.orderId());
		}
		catch (UncheckedIOException ex) {
			String outcome = (ex.getCause() instanceof ConnectException) ? "connection refused"
					: (ex.getCause() instanceof HttpTimeoutException) ? "timed out" : "connection broken";
			return new Attempt(correlationId, items, outcome, null);
		}
	}

	private List<Item> items(int n) {
		return switch (n % 5) {
			case 0 -> List.of(new Item(sku("ghost"), 1));
			case 1 -> List.of(new Item(sku("kiwi"), 2));
			case 2 -> List.of(new Item(sku("apple"), 1), new Item(sku("kiwi"), 1));
			default -> List.of(new Item(sku("apple"), 1));
		};
	}

	/**
	 * @param count how many orders
	 * @param timeout how long to wait
	 * @return this, once at least {@code count} orders were accepted since the start
	 */
	OrderLoad awaitAccepted(int count, Duration timeout) {
		await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> acceptedCount() >= count);
		return this;
	}

	/** Wait until the load placed its maximum number of orders. */
	OrderLoad awaitDone(Duration timeout) {
		for (Thread worker : this.workers) {
			try {
				worker.join(timeout.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
		return this;
	}

	/** Stop placing orders and wait for the requests in flight. */
	OrderLoad stop() {
		this.stopped = true;
		return awaitDone(Duration.ofSeconds(30));
	}

	@Override
	public void close() {
		stop();
	}

	long acceptedCount() {
		return this.attempts.values().stream().filter(Attempt::accepted).count();
	}

	/** Every request made, by correlation id. */
	Map<String, Attempt> attempts() {
		return Map.copyOf(this.attempts);
	}

	List<Attempt> accepted() {
		return this.attempts.values().stream().filter(Attempt::accepted).toList();
	}

	/** How the requests that were not accepted ended, e.g. {@code connection refused=12}. */
	Map<String, Long> notAccepted() {
		return this.attempts.values()
			.stream()
			.filter(attempt -> !attempt.accepted())
			.collect(Collectors.groupingBy(Attempt::outcome, TreeMap::new, Collectors.counting()));
	}

	List<Attempt> all() {
		return new ArrayList<>(this.attempts.values());
	}

	/**
	 * @param attempt a request of this load
	 * @return when it was sent and answered
	 */
	Timing timing(Attempt attempt) {
		return this.timings.get(attempt.correlationId());
	}

	/**
	 * The requests made entirely within a time span, e.g. while Redis was down: sent at or after
	 * {@code from} and answered (or failed) at or before {@code to}.
	 * @param from a {@link System#nanoTime()}
	 * @param to a later one
	 * @return those requests
	 */
	List<Attempt> madeWithin(long from, long to) {
		return this.attempts.values().stream().filter(attempt -> timing(attempt).within(from, to)).toList();
	}

	private static void sleep(long nanos) {
		try {
			Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * When a request was made.
	 * @param sent {@link System#nanoTime()} before it was sent
	 * @param answered {@link System#nanoTime()} once its answer (or failure) was in
	 */
	record Timing(long sent, long answered) {

		boolean within(long from, long to) {
			return this.sent >= from && this.answered <= to;
		}

	}

	/**
	 * One request.
	 * @param correlationId its X-Correlation-Id
	 * @param items what it ordered
	 * @param outcome {@code 202}, {@code HTTP <status>}, {@code connection refused},
	 * {@code connection broken} (sent, or maybe not, and no answer) or {@code timed out}
	 * @param orderId the order id when accepted
	 */
	record Attempt(String correlationId, List<Item> items, String outcome, String orderId) {

		boolean accepted() {
			return this.orderId != null;
		}

		/** A definite answer that nothing was placed (4xx, 5xx), unlike a broken connection. */
		boolean refusedByService() {
			return this.outcome.startsWith("HTTP ");
		}

	}

}
