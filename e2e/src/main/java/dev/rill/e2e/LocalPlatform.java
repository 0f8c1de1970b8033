package dev.rill.e2e;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.rill.binder.redis.test.RespClient;
import dev.rill.e2e.platform.Platform;
import dev.rill.e2e.platform.RillClient;
import dev.rill.e2e.platform.RillClient.Item;
import dev.rill.e2e.platform.RillClient.Notification;
import dev.rill.e2e.platform.RillClient.OrderRequest;
import dev.rill.e2e.platform.RillClient.OrderView;
import dev.rill.e2e.platform.RillClient.Placement;
import dev.rill.e2e.platform.Service;
import dev.rill.e2e.platform.ServiceProcess;

/**
 * What {@code ./run-local.sh} runs: a Redis, the three services (profile {@code local}) on
 * 8080, 8081 and 8082 (or free ports where those are taken), some stock and a batch of sample
 * orders whose progress it prints; then it keeps everything running until Ctrl-C.
 * <p>
 * Redis: the one {@code REDIS_HOST} / {@code REDIS_PORT} name, when set and answering;
 * otherwise a private {@code redis-server} (the one on {@code PATH}, or the binary shipped in
 * embedded-redis) on port 6380 or a free port, never 6379, without persistence: its data is gone
 * when the platform stops.
 * <p>
 * Arguments: {@code --orders=N} sample orders (default 12, 0 for none); anything else starting
 * with {@code --} is passed to all three services (e.g. {@code --logging.level.dev.rill=DEBUG}).
 */
public final class LocalPlatform {

	private static final int OWN_REDIS_PORT = 6380;

	private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(60);

	private final Path root;

	private final int sampleOrders;

	private final List<String> serviceArguments;

	private LocalRedis ownRedis;

	/** Set once Ctrl-C (or another signal) asked the launcher to stop: services exiting is expected then. */
	private volatile boolean stopping;

	private Platform platform;

	private LocalPlatform(Path root, int sampleOrders, List<String> serviceArguments) {
		this.root = root;
		this.sampleOrders = sampleOrders;
		this.serviceArguments = serviceArguments;
	}

	/**
	 * @param args {@code --orders=N} and service arguments
	 * @throws InterruptedException when interrupted while running
	 */
	public static void main(String[] args) throws InterruptedException {
		int orders = 12;
		List<String> serviceArguments = new ArrayList<>();
		for (String arg : args) {
			if (arg.startsWith("--orders=")) {
				orders = Integer.parseInt(arg.substring("--orders=".length()));
			}
			else if (arg.startsWith("--") && arg.contains("=")) {
				serviceArguments.add(arg);
			}
			else {
				System.err.println("Unknown argument " + arg + " (use --orders=N or --<spring.property>=<value>)");
				System.exit(2);
			}
		}
		Path root = Path.of(System.getProperty("rill.root", ".")).toAbsolutePath().normalize();
		LocalPlatform local = new LocalPlatform(root, orders, serviceArguments);
		Runtime.getRuntime().addShutdownHook(new Thread(local::stop, "local-platform-stop"));
		try {
			local.start();
		}
		catch (RuntimeException ex) {
			System.err.println();
			System.err.println("Could not start the platform: " + ex.getMessage());
			System.exit(1);
		}
		local.placeSampleOrders();
		local.printUsage();
		local.watch();
	}

	private void start() {
		String[] redis = redis();
		Path logs = this.root.resolve("target").resolve("run-local");
		Platform.Builder builder = Platform.builder(this.root)
			.redis(redis[0], Integer.parseInt(redis[1]))
			.profiles("local")
			.logDirectory(logs);
		for (Service service : Service.values()) {
			if (ServiceProcess.isFree(service.defaultPort())) {
				builder.port(service, service.defaultPort());
			}
			else {
				say("Port %d is taken: %s gets a free port", service.defaultPort(), service.artifact());
			}
		}
		for (String argument : this.serviceArguments) {
			String[] property = argument.substring(2).split("=", 2);
			builder.property(property[0], property[1]);
		}
		this.platform = builder.build();
		say("Starting order-app, inventory-app and notification-app (logs in %s) ...", this.root.relativize(logs));
		long started = System.nanoTime();
		this.platform.start();
		say("All three are UP after %.0f s:", (System.nanoTime() - started) / 1e9);
		for (ServiceProcess service : this.platform.services()) {
			say("  %-17s %s  (pid %d)", service.name(), service.baseUri(), service.pid());
		}
	}

	/**
	 * @return host and port of the Redis to use, started here if need be
	 */
	private String[] redis() {
		String host = System.getenv("REDIS_HOST");
		String port = System.getenv("REDIS_PORT");
		if (host != null || port != null) {
			host = (host != null && !host.isBlank()) ? host : "localhost";
			port = (port != null && !port.isBlank()) ? port : "6379";
			Optional<String> reply = ping(host, Integer.parseInt(port));
			if (reply.isPresent()) {
				say("Using the Redis at %s:%s (REDIS_HOST/REDIS_PORT), which answered PING with %s", host, port,
						reply.get());
				return new String[] { host, port };
			}
			say("REDIS_HOST/REDIS_PORT name %s:%s, which does not answer: starting a Redis of our own", host, port);
		}
		int ownPort = ServiceProcess.isFree(OWN_REDIS_PORT) ? OWN_REDIS_PORT : ServiceProcess.freePort();
		this.ownRedis = LocalRedis.start(ownPort);
		say("Started a private redis-server on %s:%d (%s; no persistence, stopped with the platform)",
				LocalRedis.HOST, ownPort, this.ownRedis.binary());
		return new String[] { LocalRedis.HOST, String.valueOf(ownPort) };
	}

	private static Optional<String> ping(String host, int port) {
		try {
			String reply = new RespClient(host, port, Duration.ofSeconds(2)).command("PING");
			// -NOAUTH is an answer too: the services get the password from their own settings.
			return Optional.ofNullable(reply);
		}
		catch (UncheckedIOException ex) {
			return Optional.empty();
		}
	}

	private void placeSampleOrders() {
		if (this.sampleOrders <= 0) {
			return;
		}
		RillClient client = this.platform.client();
		Map<String, Long> stock = new LinkedHashMap<>();
		stock.put("apple", 10L);
		stock.put("pear", 4L);
		stock.put("kiwi", 100L);
		stock.put("plum", 0L);
		stock.forEach(client::setStock);
		say("");
		say("Stock: %s (no stock record for dragonfruit)",
				stock.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));

		List<List<Item>> samples = List.of(List.of(new Item("apple", 3)), List.of(new Item("pear", 2)),
				List.of(new Item("kiwi", 5), new Item("apple", 1)), List.of(new Item("dragonfruit", 1)),
				List.of(new Item("apple", 3)), List.of(new Item("pear", 2)), List.of(new Item("plum", 1)),
				List.of(new Item("apple", 3)), List.of(new Item("pear", 2)), List.of(new Item("kiwi", 1)),
				List.of(new Item("kiwi", 2), new Item("plum", 1)), List.of(new Item("apple", 3)));
		List<Sample> placed = new ArrayList<>();
		say("Placing %d sample orders:", this.sampleOrders);
		for (int i = 0; i < this.sampleOrders; i++) {
			List<Item> items = samples.get(i % samples.size());
			String correlationId = "demo-" + (i + 1);
			Placement placement = client.placeOrder(
					new OrderRequest("customer-" + (i % 4 + 1), "customer" + (i % 4 + 1) + "@example.com", items),
					null, correlationId);
			Sample sample = new Sample(i + 1, describe(items), correlationId, placement.orderId());
			if (placement.accepted()) {
				placed.add(sample);
				say("  #%-3d %-22s -> %d %s  [corr=%s]", sample.number(), sample.items(), placement.status(),
						placement.orderId(), correlationId);
			}
			else {
				say("  #%-3d %-22s -> %d %s", sample.number(), sample.items(), placement.status(), placement.body());
			}
		}
		followProgress(client, placed);
	}

	private void followProgress(RillClient client, List<Sample> samples) {
		say("");
		say("Progress (PLACED -> CONFIRMED/REJECTED -> notified):");
		Map<Sample, String> shown = new LinkedHashMap<>();
		long deadline = System.nanoTime() + PROGRESS_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			boolean allDone = true;
			for (Sample sample : samples) {
				OrderView order = client.order(sample.orderId()).orElse(null);
				List<Notification> notifications = client.notifications(sample.orderId());
				String state = (order == null) ? "unknown"
						: order.status() + (notifications.isEmpty() ? "" : ", notified");
				if (!state.equals(shown.get(sample))) {
					shown.put(sample, state);
					say("  #%-3d %-22s %s", sample.number(), sample.items(), state);
				}
				allDone &= order != null && order.decided() && !notifications.isEmpty();
			}
			if (allDone) {
				break;
			}
			pause(Duration.ofMillis(300));
		}
		say("");
		say("Final states:");
		say("  %-4s %-22s %-36s %-10s %-9s %s", "#", "items", "orderId", "status", "notified", "reason");
		for (Sample sample : samples) {
			OrderView order = client.order(sample.orderId()).orElse(null);
			int notified = client.notifications(sample.orderId()).size();
			say("  %-4d %-22s %-36s %-10s %-9s %s", sample.number(), sample.items(), sample.orderId(),
					(order != null) ? order.status() : "unknown", notified + "x",
					(order != null && order.reason() != null) ? order.reason() : "");
		}
		say("Stock now: %s", List.of("apple", "pear", "kiwi", "plum")
			.stream()
			.map(sku -> client.stock(sku)
				.map(level -> sku + " " + level.available() + " available/" + level.reserved() + " reserved")
				.orElse(sku + " -"))
			.collect(Collectors.joining(", ")));
	}

	private void printUsage() {
		ServiceProcess order = this.platform.order();
		ServiceProcess inventory = this.platform.inventory();
		ServiceProcess notification = this.platform.notification();
		say("");
		say("The platform runs. Try:");
		say("  curl -i -X POST %s/orders -H 'Content-Type: application/json' -H 'X-Correlation-Id: my-1' \\",
				order.baseUri());
		say("       -d '{\"customerId\":\"c-7\",\"email\":\"ada@example.com\",\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}'");
		say("  curl %s/orders/<orderId>", order.baseUri());
		say("  curl -X PUT %s/stock/apple -H 'Content-Type: application/json' -d '{\"available\":10}'",
				inventory.baseUri());
		say("  curl %s/stock/apple", inventory.baseUri());
		say("  curl '%s/notifications?orderId=<orderId>'", notification.baseUri());
		say("  curl %s/actuator/health   (likewise on %d and %d)", order.baseUri(), inventory.port(),
				notification.port());
		say("  grep 'corr=my-1' %s/*.log", this.root.relativize(order.logFile().toAbsolutePath().getParent()));
		say("Press Ctrl-C to stop everything this started.");
	}

	/**
	 * Keep running; say so when a service exits on its own.
	 */
	private void watch() throws InterruptedException {
		List<ServiceProcess> reported = new ArrayList<>();
		while (true) {
			for (ServiceProcess service : this.platform.services()) {
				if (!this.stopping && !service.isAlive() && !reported.contains(service)) {
					reported.add(service);
					say("%s exited; see %s", service.name(), service.logFile());
				}
			}
			Thread.sleep(2000);
		}
	}

	private synchronized void stop() {
		this.stopping = true;
		if (this.platform != null) {
			say("Stopping the services ...");
			this.platform.stop();
			this.platform = null;
		}
		if (this.ownRedis != null) {
			this.ownRedis.close();
			this.ownRedis = null;
			say("Stopped the services and Redis.");
		}
		else {
			say("Stopped the services.");
		}
	}

	private static String describe(List<Item> items) {
		return items.stream().map(item -> item.sku() + " x" + item.quantity()).collect(Collectors.joining(", "));
	}

	private static void say(String format, Object... args) {
		System.out.println(String.format(Locale.ROOT, format, args));
	}

	private static void pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private record Sample(int number, String items, String correlationId, String orderId) {
	}

}
