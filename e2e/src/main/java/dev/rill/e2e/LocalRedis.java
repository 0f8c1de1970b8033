package dev.rill.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.rill.binder.redis.test.RedisServerProcess;
import dev.rill.binder.redis.test.RespClient;

/**
 * The private {@code redis-server} of {@code ./run-local.sh}: the binary that the test fixture
 * {@link RedisServerProcess} would use (on {@code PATH}, else the one shipped in embedded-redis),
 * without persistence, on loopback only.
 * <p>
 * Unlike the fixture it runs the server in a session of its own ({@code setsid}, where there
 * is one): Ctrl-C in the terminal then reaches the launcher and the services but not Redis, so
 * the services stop while their Redis still answers, and Redis is stopped last.
 */
final class LocalRedis implements AutoCloseable {

	static final String HOST = "127.0.0.1";

	private final int port;

	private final Path directory;

	private final Process process;

	private final Path binary;

	private LocalRedis(int port, Path directory, Process process, Path binary) {
		this.port = port;
		this.directory = directory;
		this.process = process;
		this.binary = binary;
	}

	/**
	 * Start a server and wait until it answers PING.
	 * @param port its port (not 6379)
	 * @return the running server
	 */
	static LocalRedis start(int port) {
		if (port == 6379) {
			throw new IllegalArgumentException("6379 belongs to a developer's own Redis");
		}
		// The fixture resolves the binary (PATH, else embedded-redis') as it builds; nothing starts.
		Path binary;
		try (RedisServerProcess probe = RedisServerProcess.builder().build()) {
			binary = probe.binary();
		}
		Path directory;
		try {
			directory = Files.createTempDirectory("rill-local-redis-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		List<String> command = new ArrayList<>();
		onPath("setsid").ifPresent(setsid -> command.add(setsid.toString()));
		command.addAll(List.of(binary.toString(), "--port", String.valueOf(port), "--bind", HOST, "--protected-mode",
				"no", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", directory.toString(),
				"--logfile", directory.resolve("redis.log").toString()));
		Process process;
		try {
			process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(directory.resolve("console.log").toFile())
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run " + binary, ex);
		}
		LocalRedis redis = new LocalRedis(port, directory, process, binary);
		redis.awaitPing(Duration.ofSeconds(10));
		return redis;
	}

	private void awaitPing(Duration timeout) {
		RespClient client = new RespClient(HOST, this.port, Duration.ofSeconds(1));
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				String log = read(this.directory.resolve("redis.log")) + read(this.directory.resolve("console.log"));
				close();
				throw new IllegalStateException(this.binary + " exited with code " + this.process.exitValue()
						+ " on port " + this.port + ":\n" + log);
			}
			try {
				if ("PONG".equals(client.command("PING"))) {
					return;
				}
			}
			catch (UncheckedIOException ex) {
				// not listening yet
			}
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		close();
		throw new IllegalStateException(this.binary + " did not answer PING on port " + this.port);
	}

	int port() {
		return this.port;
	}

	Path binary() {
		return this.binary;
	}

	/**
	 * {@code SHUTDOWN NOSAVE}, then {@code SIGKILL} if it has not exited within 5 s; deletes its directory.
	 */
	@Override
	public void close() {
		if (this.process.isAlive()) {
			try {
				new RespClient(HOST, this.port, Duration.ofSeconds(2)).command("SHUTDOWN", "NOSAVE");
			}
			catch (UncheckedIOException ex) {
				// closed the connection as it exited, or unreachable: SIGKILL below if need be
			}
			try {
				if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
					this.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				this.process.destroyForcibly();
				Thread.currentThread().interrupt();
			}
		}
		try (Stream<Path> files = Files.walk(this.directory)) {
			files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
		}
		catch (IOException ex) {
			// a temporary directory: never mind
		}
	}

	private static Optional<Path> onPath(String name) {
		String path = System.getenv("PATH");
		if (path == null) {
			return Optional.empty();
		}
		return Stream.of(path.split(Pattern.quote(File.pathSeparator)))
			.filter(directory -> !directory.isBlank())
			.map(directory -> Path.of(directory, name))
			.filter(candidate -> Files.isRegularFile(candidate) && Files.isExecutable(candidate))
			.findFirst();
	}

	private static String read(Path file) {
		try {
			return Files.exists(file) ? Files.readString(file) : "";
		}
		catch (IOException ex) {
			return "";
		}
	}

}
