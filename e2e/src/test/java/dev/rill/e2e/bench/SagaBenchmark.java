package dev.rill.e2e.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.HdrHistogram.Histogram;

import dev.rill.binder.redis.test.RedisServerProcess;
import dev.rill.e2e.bench.SagaResult.SagaPhase;
import dev.rill.e2e.platform.Platform;
import dev.rill.e2e.platform.RillClient;
import dev.rill.e2e.platform.RillClient.Item;
import dev.rill.e2e.platform.RillClient.OrderRequest;
import dev.rill.e2e.platform.RillClient.Placement;
import dev.rill.e2e.platform.ServiceProcess;
import dev.rill.e2e.platform.StreamGroups;

/**
 * The saga under load: {@code POST /orders} to order-app, {@code OrderPlaced} to
 * inventory-app, {@code StockReserved} back to order-app, {@code OrderConfirmed} to
 * notification-app; the three services as JVMs of their own from their packaged jars, on the
 * Redis binder with their shipped configuration (synchronous producers, dead letters, the
 * {@code log} notification channel), on a private Redis.
 * <p>
 * Every order is one kiwi out of a stock that never runs out, so every order is confirmed and
 * notified once. Its latency is the notification's {@code sentAt} (wall clock of
 * notification-app) minus the wall-clock time just before its POST: both clocks are this
 * machine's. An order counts as carried through once notification-app's group has read and
 * acknowledged its {@code OrderConfirmed}.
 * <ol>
 * <li>warm-up: {@code bench.saga.warmup} orders, not reported;</li>
 * <li>throughput: {@code bench.saga.orders} orders from {@code bench.saga.concurrency} HTTP
 * clients, each placing its next order when the last was answered;</li>
 * <li>paced: orders at {@code bench.saga.rate} per second (default half the throughput
 * measured) for {@code bench.saga.rateSeconds}, open loop.</li>
 * </ol>
 */
final class SagaBenchmark {

	private static final String SKU = "kiwi";

	private static final ObjectMapper JSON = new ObjectMapper();

	/** The key of this JVM's own CPU time in {@link Context#cpuNanos()}. */
	private static final String HARNESS = "harness";

	private final BenchSettings settings;

	private int expectedNotifications;

	SagaBenchmark(BenchSettings settings) {
		this.settings = settings;
	}

	SagaResult run() throws Exception {
		Path logs = this.settings.output().resolve("logs").resolve("saga");
		try (RedisServerProcess redis = RedisServerProcess.builder().build().start();
				Platform platform = Platform.builder(this.settings.root())
					.redis(redis.host(), redis.port())
					.jvmOptions(this.settings.sagaJvmArgs())
					.logDirectory(logs)
					.build()) {
			System.out.println("Saga: starting the three services (logs in " + logs + ")");
			platform.start();
			RillClient client = platform.client();
			client.setStock(SKU, 1_000_000_000L);
			RedisClient lettuce = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
			try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
				Context context = new Context(client, connection, new StreamGroups(redis.host(), redis.port()),
						pids(platform, redis));
				closedLoop(context, "warm-up", this.settings.sagaWarmup());
				SagaPhase throughput = closedLoop(context, "throughput", this.settings.sagaOrders());
				int rate = this.settings.sagaRate();
				if (rate <= 0) {
					rate = Math.max(50, (int) (throughput.ordersPerSecond() / 2 / 50) * 50);
				}
				SagaPhase paced = openLoop(context, rate, rate * this.settings.sagaRateSeconds());
				return new SagaResult(this.settings.sagaJvmArgs(), this.settings.sagaConcurrency(), throughput,
						paced);
			}
			finally {
				lettuce.shutdown();
			}
		}
	}

	private static Map<String, Long> pids(Platform platform, RedisServerProcess redis) {
		Map<String, Long> pids = new LinkedHashMap<>();
		for (ServiceProcess service : platform.services()) {
			pids.put(service.name(), service.pid());
		}
		for (String line : redis.command("INFO", "server").split("\\R")) {
			if (line.startsWith("process_id:")) {
				pids.put("redis-server", Long.parseLong(line.substring("process_id:".length()).trim()));
			}
		}
		return pids;
	}

	private SagaPhase closedLoop(Context context, String name, int orders) throws Exception {
		Placements placements = new Placements();
		AtomicInteger next = new AtomicInteger();
		int clients = this.settings.sagaConcurrency();
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		Map<String, Long> cpuBefore = context.cpuNanos();
		long start = System.nanoTime();
		long startedAt = System.currentTimeMillis();
		for (int c = 0; c < clients; c++) {
			pool.execute(() -> {
				int index;
				while ((index = next.getAndIncrement()) < orders) {
					placements.place(context.client, index);
				}
			});
		}
		pool.shutdown();
		pool.awaitTermination(1, TimeUnit.HOURS);
		long posted = System.nanoTime();
		return finish(context, name, 0, orders, placements, start, startedAt, posted, cpuBefore);
	}

	private SagaPhase openLoop(Context context, int rate, int orders) throws Exception {
		Placements placements = new Placements();
		ExecutorService pool = Executors.newFixedThreadPool(64);
		Map<String, Long> cpuBefore = context.cpuNanos();
		long start = System.nanoTime();
		long startedAt = System.currentTimeMillis();
		double nanosPerOrder = 1e9 / rate;
		for (int i = 0; i < orders; i++) {
			long due = start + (long) (i * nanosPerOrder);
			long now;
			while ((now = System.nanoTime()) < due) {
				LockSupport.parkNanos(due - now);
			}
			int index = i;
			pool.execute(() -> placements.place(context.client, index));
		}
		pool.shutdown();
		pool.awaitTermination(1, TimeUnit.HOURS);
		long posted = System.nanoTime();
		return finish(context, "paced", rate, orders, placements, start, startedAt, posted, cpuBefore);
	}

	private SagaPhase finish(Context context, String name, int rate, int orders, Placements placements, long start,
			long startedAt, long posted, Map<String, Long> cpuBefore) throws Exception {
		Map<String, Long> backlog = backlog(context.groups);
		this.expectedNotifications += placements.accepted.size();
		awaitNotified(context.groups, this.expectedNotifications);
		Map<String, Long> cpuAfter = context.cpuNanos();
		long endedAt = System.currentTimeMillis();
		Map<String, Double> cpuPerOrder = new LinkedHashMap<>();
		double cpuTotal = 0;
		for (Map.Entry<String, Long> process : cpuAfter.entrySet()) {
			if (process.getKey().equals(HARNESS)) {
				continue;
			}
			Long before = cpuBefore.get(process.getKey());
			if (process.getValue() >= 0 && before != null && before >= 0) {
				double millis = (process.getValue() - before) / 1e6 / orders;
				cpuPerOrder.put(process.getKey(), millis);
				cpuTotal += millis;
			}
		}
		Map<String, Instant> sent = sentAt(context.connection, placements.accepted.keySet());
		Histogram latencies = new Histogram(3);
		long firstPost = Long.MAX_VALUE;
		long lastNotification = Long.MIN_VALUE;
		for (Map.Entry<String, Long> placed : placements.accepted.entrySet()) {
			firstPost = Math.min(firstPost, placed.getValue());
			Instant notified = sent.get(placed.getKey());
			if (notified != null) {
				long micros = notified.getEpochSecond() * 1_000_000 + notified.getNano() / 1_000;
				lastNotification = Math.max(lastNotification, micros);
				latencies.recordValue(Math.max(0, micros - placed.getValue()));
			}
		}
		double seconds = (lastNotification - firstPost) / 1e6;
		double postSeconds = (posted - start) / 1e9;
		SagaPhase phase = new SagaPhase(name, rate, orders, placements.accepted.size(), sent.size(), postSeconds,
				seconds, sent.size() / seconds, orders / postSeconds, latencies.getValueAtPercentile(50) / 1e3,
				latencies.getValueAtPercentile(90) / 1e3, latencies.getValueAtPercentile(99) / 1e3,
				latencies.getMaxValue() / 1e3, cpuPerOrder.isEmpty() ? -1 : cpuTotal, cpuPerOrder, backlog);
		System.out.printf("saga %-10s %,7d orders (%d accepted, %d notified, %d failed POSTs) in %6.2f s = %,7.0f "
				+ "orders/s (POSTs at %,7.0f/s); POST->notification p50 %,.1f ms p90 %,.1f ms p99 %,.1f ms max %,.1f ms; "
				+ "CPU %.2f ms/order %s; backlog when POSTs done %s%n", name, orders, phase.accepted(), phase.notified(), placements.failed.get(),
				seconds, phase.ordersPerSecond(), phase.postRate(), phase.p50Millis(), phase.p90Millis(),
				phase.p99Millis(), phase.maxMillis(), phase.serviceCpuMillisPerOrder(), cpuPerOrder, backlog);
		// The harness (HTTP clients, polling Redis) shares the cores too; it is not part of the
		// saga's cost, but it must stay small beside it, or it, not the saga, sets the pace.
		System.out.printf("saga %-10s harness CPU %.2f ms/order; window %d..%d epoch ms (for JfrSummary)%n", name,
				(cpuAfter.get(HARNESS) - cpuBefore.get(HARNESS)) / 1e6 / orders, startedAt, endedAt);
		if (placements.firstFailure != null) {
			System.out.println("saga: first failed POST: " + placements.firstFailure);
		}
		return phase;
	}

	/**
	 * @return per stream/group, entries not yet handled: not delivered yet, or pending
	 */
	private static Map<String, Long> backlog(StreamGroups groups) {
		Map<String, Long> backlog = new LinkedHashMap<>();
		for (String stream : List.of("orders", "stock", "order-status")) {
			long length = groups.length(stream);
			for (StreamGroups.Group group : groups.groups(stream)) {
				long undelivered = (group.entriesRead() >= 0) ? Math.max(0, length - group.entriesRead()) : 0;
				backlog.put(stream + "/" + group.name(), undelivered + group.pending());
			}
		}
		return backlog;
	}

	/**
	 * Wait until notification-app's group has read and acknowledged {@code expected} events, or
	 * made no progress for a minute.
	 */
	private static void awaitNotified(StreamGroups groups, long expected) throws InterruptedException {
		long last = -1;
		long lastProgress = System.nanoTime();
		while (true) {
			StreamGroups.Group group;
			try {
				group = groups.group("order-status", "notification");
			}
			catch (IllegalStateException ex) {
				group = null;
			}
			long read = (group != null) ? group.entriesRead() : 0;
			if (group != null && read >= expected && group.pending() == 0) {
				return;
			}
			if (read != last) {
				last = read;
				lastProgress = System.nanoTime();
			}
			else if (System.nanoTime() - lastProgress > TimeUnit.MINUTES.toNanos(1)) {
				System.out.println("saga: notification-app's group stalled at " + read + " of " + expected);
				return;
			}
			Thread.sleep(20);
		}
	}

	/**
	 * @return per order, when its first notification was sent ({@code notification:order:<id>})
	 */
	private static Map<String, Instant> sentAt(StatefulRedisConnection<String, String> connection,
			Iterable<String> orderIds) throws Exception {
		Map<String, RedisFuture<List<String>>> replies = new java.util.HashMap<>();
		for (String orderId : orderIds) {
			replies.put(orderId, connection.async().lrange("notification:order:" + orderId, 0, 0));
		}
		Map<String, Instant> sent = new java.util.HashMap<>();
		for (Map.Entry<String, RedisFuture<List<String>>> reply : replies.entrySet()) {
			List<String> entries = reply.getValue().get(30, TimeUnit.SECONDS);
			if (!entries.isEmpty()) {
				JsonNode at = JSON.readTree(entries.get(0)).path("sentAt");
				sent.put(reply.getKey(), at.isNumber() ? Instant.ofEpochSecond(0, at.decimalValue()
					.movePointRight(9)
					.longValue()) : Instant.parse(at.asText()));
			}
		}
		return sent;
	}

	private record Context(RillClient client, StatefulRedisConnection<String, String> connection,
			StreamGroups groups, Map<String, Long> pids) {

		/** CPU time so far per process, -1 when unknown. */
		Map<String, Long> cpuNanos() {
			Map<String, Long> cpu = new LinkedHashMap<>();
			this.pids.forEach((name, pid) -> cpu.put(name, Usage.processCpuNanos(pid)));
			cpu.put(HARNESS, Usage.processCpuNanos(ProcessHandle.current().pid()));
			return cpu;
		}

	}

	/** The orders of one phase: accepted ones with the time their POST started. */
	private static final class Placements {

		final Map<String, Long> accepted = new ConcurrentHashMap<>();

		final AtomicInteger failed = new AtomicInteger();

		volatile String firstFailure;

		void place(RillClient client, int index) {
			OrderRequest order = new OrderRequest("bench-" + (index % 100), "bench@example.com",
					List.of(new Item(SKU, 1)));
			Instant start = Instant.now();
			try {
				Placement placement = client.placeOrder(order, null, null);
				if (placement.accepted()) {
					this.accepted.put(placement.orderId(), start.getEpochSecond() * 1_000_000 + start.getNano() / 1_000);
					return;
				}
				fail(placement.status() + " " + placement.body());
			}
			catch (RuntimeException ex) {
				fail(ex.toString());
			}
		}

		private void fail(String why) {
			if (this.failed.getAndIncrement() == 0) {
				this.firstFailure = why;
			}
		}

	}

}
