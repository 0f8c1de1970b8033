package dev.rill.e2e.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The other end of notification-app's {@code webhook} channel, in the test JVM (the JDK's
 * {@link HttpServer}): answers every {@code POST} 200, or 503 during an {@link #outage}, and
 * keeps every answer it gave per notice ({@code Idempotency-Key: <orderId>:<status>}).
 */
final class WebhookReceiver implements AutoCloseable {

	private final HttpServer server;

	private final ExecutorService executor = Executors.newFixedThreadPool(4);

	private final Map<String, List<Integer>> answers = new ConcurrentHashMap<>();

	private volatile long downUntil;

	private WebhookReceiver(HttpServer server) {
		this.server = server;
	}

	/**
	 * @return a receiver listening on a free port of the loopback address
	 */
	static WebhookReceiver start() {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
			WebhookReceiver receiver = new WebhookReceiver(server);
			server.createContext("/notices", receiver::handle);
			server.setExecutor(receiver.executor);
			server.start();
			return receiver;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start the webhook receiver", ex);
		}
	}

	/**
	 * @return the URL to give notification-app ({@code rill.notification.webhook.url})
	 */
	URI url() {
		return URI.create("http://127.0.0.1:" + this.server.getAddress().getPort() + "/notices");
	}

	/**
	 * Answer 503 from now on, for this long.
	 * @param duration how long the outage lasts
	 */
	void outage(Duration duration) {
		this.downUntil = System.nanoTime() + duration.toNanos();
	}

	/**
	 * @return whether an outage is going on
	 */
	boolean down() {
		return System.nanoTime() - this.downUntil < 0;
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange; InputStream body = exchange.getRequestBody()) {
			body.readAllBytes();
			String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
			int status = !"POST".equals(exchange.getRequestMethod()) ? 405 : down() ? 503 : (key == null) ? 400 : 200;
			this.answers.computeIfAbsent(String.valueOf(key), k -> new CopyOnWriteArrayList<>()).add(status);
			exchange.sendResponseHeaders(status, -1);
		}
	}

	/**
	 * @return per notice ({@code <orderId>:<status>}), the statuses answered to its requests, in order
	 */
	Map<String, List<Integer>> answers() {
		return Map.copyOf(this.answers);
	}

	/**
	 * @param status an HTTP status
	 * @return how many requests were answered with it
	 */
	long answered(int status) {
		return this.answers.values().stream().flatMap(List::stream).filter(s -> s == status).count();
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.executor.shutdownNow();
	}

}
