package dev.rill.binder.redis.test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.rill.binder.redis.test.RedisServerProcess.Fsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What the Redis test fixture promises: a private server on its own loopback port, that
 * tests may kill, stop and restart with or without its data.
 */
class RedisServerExtensionTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.withAof(Fsync.ALWAYS);

	@BeforeEach
	void runningAndEmpty() {
		// Tests below stop and kill the shared server; each starts from a running, empty one.
		if (!redis.server().isRunning()) {
			redis.restart();
		}
		redis.flushAll();
	}

	@Test
	void answersPingOnItsOwnLoopbackPort() throws IOException {
		assertThat(redis.port()).isPositive().isNotEqualTo(6379);
		assertThat(redis.host()).isEqualTo("127.0.0.1");
		assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());

		// Raw RESP on a plain socket, independent of RespClient.
		try (Socket socket = new Socket("127.0.0.1", redis.port())) {
			socket.setSoTimeout(5000);
			socket.getOutputStream().write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
			byte[] reply = socket.getInputStream().readNBytes(7);
			assertThat(new String(reply, StandardCharsets.US_ASCII)).isEqualTo("+PONG\r\n");
		}
		assertThat(redis.server().command("PING")).isEqualTo("PONG");
		assertThat(redis.server().command("INFO", "server")).contains("tcp_port:" + redis.port());
	}

	@Test
	void resolvesServerParameters(RedisServerProcess server) {
		assertThat(server).isSameAs(redis.server());
		assertThat(server.isRunning()).isTrue();
	}

	@Test
	void pointsSpringAtTheServer() {
		assertThat(redis.springProperties()).containsOnly(Map.entry("spring.data.redis.host", "127.0.0.1"),
				Map.entry("spring.data.redis.port", redis.port()));

		Map<String, Object> registered = new HashMap<>();
		redis.registerSpringProperties((name, value) -> registered.put(name, value.get()));
		assertThat(registered).isEqualTo(redis.springProperties());
	}

	@Test
	void commandReturnsRawReplies() {
		RedisServerProcess server = redis.server();
		assertThat(server.command("SET", "greeting", "hello world")).isEqualTo("OK");
		assertThat(server.command("GET", "greeting")).isEqualTo("hello world");
		assertThat(server.command("GET", "missing")).isNull();
		assertThat(server.command("XADD", "orders", "1-1", "payload", "a")).isEqualTo("1-1");
		assertThat(server.command("XLEN", "orders")).isEqualTo("1");
		assertThat(server.command("XRANGE", "orders", "-", "+")).isEqualTo("1-1\npayload\na");
		assertThat(server.command("CONFIG", "SET", "maxmemory-policy", "noeviction")).isEqualTo("OK");
		assertThat(server.command("CONFIG", "GET", "appendfsync")).isEqualTo("appendfsync\nalways");
		assertThat(server.command("CONFIG", "GET", "save")).isEqualTo("save\n");
		assertThat(server.command("DEBUG", "SLEEP", "0")).isEqualTo("OK");
		assertThat(server.command("NO-SUCH-COMMAND")).startsWith("-ERR");
	}

	@Test
	void killThenRestartWithAofAlwaysKeepsAcknowledgedWrites() throws IOException {
		RedisServerProcess server = redis.server();
		server.command("SET", "survivor", "yes");
		server.command("XADD", "orders", "*", "payload", "a");

		// An open client connection at kill time leaves the server's side of it in TIME_WAIT.
		try (Socket idle = new Socket("127.0.0.1", redis.port())) {
			redis.kill();
			assertThat(server.isRunning()).isFalse();
		}
		assertRefusesConnections(redis.port());

		redis.restart();

		assertThat(server.isRunning()).isTrue();
		assertThat(server.port()).isEqualTo(redis.port());
		assertThat(server.command("GET", "survivor")).isEqualTo("yes");
		assertThat(server.command("XLEN", "orders")).isEqualTo("1");
	}

	@Test
	void restartEmptyLosesEverything() {
		redis.server().command("SET", "survivor", "no");
		redis.server().command("XADD", "orders", "*", "payload", "a");

		redis.restartEmpty();

		assertThat(redis.server().isRunning()).isTrue();
		assertThat(redis.server().command("GET", "survivor")).isNull();
		assertThat(redis.server().command("DBSIZE")).isEqualTo("0");
	}

	@Test
	void stopMakesThePortRefuseConnectionsAndRestartKeepsData() {
		redis.server().command("SET", "survivor", "yes");

		redis.stop();

		assertThat(redis.server().isRunning()).isFalse();
		assertRefusesConnections(redis.port());

		redis.restart();
		assertThat(redis.server().command("GET", "survivor")).isEqualTo("yes");
	}

	@Test
	void killEndsAServerThatIsBusy() {
		RespClient patient = new RespClient(redis.host(), redis.port(), Duration.ofSeconds(60));
		CompletableFuture<String> sleeping = CompletableFuture.supplyAsync(() -> patient.command("DEBUG", "SLEEP", "30"));
		// While it sleeps the server answers nobody.
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThatThrownBy(() -> new RespClient(redis.host(), redis.port(),
					Duration.ofMillis(200)).command("PING")).hasMessageContaining("did not answer"));

		redis.kill();

		// The sleeping connection is closed by the kill, long before the 30 s are up.
		await().atMost(Duration.ofSeconds(5)).until(sleeping::isDone);
		assertThat(redis.server().isRunning()).isFalse();
	}

	@Test
	void startRetriesWhileThePortIsStillTaken() throws Exception {
		redis.kill();
		ServerSocket squatter = new ServerSocket();
		squatter.bind(new InetSocketAddress("127.0.0.1", redis.port()));
		CompletableFuture.runAsync(() -> close(squatter), CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));
		try {
			redis.restart();
		}
		finally {
			squatter.close();
		}

		assertThat(redis.server().command("PING")).isEqualTo("PONG");
		assertThat(Files.readString(redis.server().logFile())).contains("Address already in use");
	}

	@Test
	void embeddedBinaryRunsWhenAskedFor() throws IOException {
		Path dataDirectory;
		try (RedisServerProcess embedded = RedisServerProcess.builder()
			.useEmbeddedBinary()
			.appendOnly(Fsync.ALWAYS)
			.build()) {
			dataDirectory = embedded.dataDirectory();
			assertThat(embedded.binary()).isNotEqualTo(RedisServerProcess.binaryOnPath().orElse(null));
			assertThat(embedded.version()).startsWith("6.2.");
			assertThat(embedded.port()).isNotEqualTo(redis.port()).isNotEqualTo(6379);

			embedded.start();

			assertThat(embedded.command("INFO", "server")).contains("redis_version:6.2.");
			embedded.command("SET", "survivor", "yes");
			embedded.kill();
			assertRefusesConnections(embedded.port());
			embedded.restart();
			assertThat(embedded.command("GET", "survivor")).isEqualTo("yes");
			assertThat(embedded.logFile()).exists();
		}
		assertThat(dataDirectory).doesNotExist();
	}

	@Test
	void failedStartReportsTheServersOutput() {
		try (RedisServerProcess broken = RedisServerProcess.builder().setting("no-such-directive", "x").build()) {
			assertThatThrownBy(broken::start).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("exited with code")
				.hasMessageContaining("no-such-directive");
			assertThat(broken.isRunning()).isFalse();
		}
	}

	@Test
	void refusesTheDefaultPortAndSettingsItManages() {
		assertThatThrownBy(() -> RedisServerProcess.builder().port(6379)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> RedisServerProcess.builder().setting("--port", "1234"))
			.isInstanceOf(IllegalArgumentException.class);
	}

	private static void assertRefusesConnections(int port) {
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThatThrownBy(() -> {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
			}
		}).isInstanceOf(ConnectException.class));
	}

	private static void close(ServerSocket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
