package dev.rill.binder.redis.test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private {@code redis-server} process on a free loopback port, for tests that need a
 * real Redis they may stop, kill ({@code SIGKILL}) and restart.
 * <p>
 * The binary is the {@code redis-server} on {@code PATH}; where there is none, the one that
 * {@code com.github.codemonstur:embedded-redis} ships in its jar (Redis 6.2 on Linux). The
 * server never daemonizes (the fixture keeps its {@link Process}), keeps its data and log
 * in a temporary directory, and is killed by a shutdown hook if a test forgets it.
 */
public final class RedisServerProcess implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RedisServerProcess.class);

	private static final Set<RedisServerProcess> RUNNING = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(RedisServerProcess::kill)));
	}

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);

	private final Path binary;

	private final int port;

	private final Path dataDirectory;

	private final Fsync appendFsync;

	private final Map<String, String> settings;

	private Process process;

	private RedisServerProcess(Builder builder) {
		this.binary = builder.useEmbeddedBinary ? embeddedBinary() : binary();
		this.port = (builder.port > 0) ? builder.port : freePort();
		this.appendFsync = builder.appendFsync;
		this.settings = new LinkedHashMap<>(builder.settings);
		try {
			this.dataDirectory = Files.createTempDirectory("redis-" + this.port + "-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * @return a builder of a server with default settings: free port, no persistence
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Start the server and wait until it answers PING.
	 * @return this server
	 */
	public synchronized RedisServerProcess start() {
		if (isRunning()) {
			return this;
		}
		List<String> command = new ArrayList<>(List.of(this.binary.toString(), "--port", String.valueOf(this.port),
				"--bind", "127.0.0.1", "--save", "", "--protected-mode", "no", "--daemonize", "no", "--dir",
				this.dataDirectory.toString(), "--logfile", logFile().toString()));
		if (this.appendFsync != null) {
			command.addAll(List.of("--appendonly", "yes", "--appendfsync", this.appendFsync.name().toLowerCase(Locale.ROOT)));
		}
		else {
			command.addAll(List.of("--appendonly", "no"));
		}
		this.settings.forEach((key, value) -> command.addAll(List.of("--" + key, value)));
		try {
			this.process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(this.dataDirectory.resolve("stdout.txt").toFile())
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start " + this.binary, ex);
		}
		RUNNING.add(this);
		awaitPing();
		logger.info("Started {} on port {} (AOF {})", this.binary, this.port,
				(this.appendFsync != null) ? this.appendFsync : "off");
		return this;
	}

	private void awaitPing() {
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("redis-server exited with " + this.process.exitValue() + ": " + logTail());
			}
			try {
				if ("PONG".equals(client().command("PING"))) {
					return;
				}
			}
			catch (UncheckedIOException ex) {
				// not listening yet
			}
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
		kill();
		throw new IllegalStateException("redis-server on port " + this.port + " did not answer PING within "
				+ STARTUP_TIMEOUT + ": " + logTail());
	}

	/**
	 * Stop gracefully: {@code SHUTDOWN} (which writes the AOF when it is on), then wait for exit.
	 */
	public synchronized void stop() {
		if (!isRunning()) {
			return;
		}
		try {
			client().command("SHUTDOWN", (this.appendFsync != null) ? "SAVE" : "NOSAVE");
		}
		catch (UncheckedIOException ex) {
			// The connection drops as the server exits.
		}
		awaitExit(false);
	}

	/**
	 * Kill the server with {@code SIGKILL}, as a crash would: nothing is flushed.
	 */
	public synchronized void kill() {
		if (this.process != null && this.process.isAlive()) {
			this.process.destroyForcibly();
			awaitExit(true);
		}
	}

	/**
	 * Start again on the same port with the same data directory (so the AOF, if any, is replayed).
	 * @return this server
	 */
	public synchronized RedisServerProcess restart() {
		stop();
		return start();
	}

	/**
	 * Start again on the same port with an empty data directory: a restart without persistence.
	 * @return this server
	 */
	public synchronized RedisServerProcess restartEmpty() {
		kill();
		deleteData();
		return start();
	}

	private void awaitExit(boolean forced) {
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		RUNNING.remove(this);
		logger.info("{} redis-server on port {}", forced ? "Killed" : "Stopped", this.port);
	}

	public synchronized boolean isRunning() {
		return this.process != null && this.process.isAlive();
	}

	public int port() {
		return this.port;
	}

	public String host() {
		return "127.0.0.1";
	}

	public String uri() {
		return "redis://" + host() + ":" + this.port;
	}

	/**
	 * @return a client speaking RESP to this server
	 */
	public RespClient client() {
		return new RespClient(host(), this.port);
	}

	/**
	 * @param args a command and its arguments
	 * @return the server's reply as text
	 */
	public String command(String... args) {
		return client().command(args);
	}

	@Override
	public void close() {
		kill();
		deleteData();
	}

	private void deleteData() {
		try (Stream<Path> files = Files.walk(this.dataDirectory)) {
			files.sorted(Comparator.reverseOrder())
				.filter(path -> !path.equals(this.dataDirectory))
				.map(Path::toFile)
				.forEach(File::delete);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private Path logFile() {
		return this.dataDirectory.resolve("redis.log");
	}

	private String logTail() {
		try {
			List<String> lines = Files.exists(logFile()) ? Files.readAllLines(logFile()) : List.of();
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static Path binary() {
		String path = System.getenv("PATH");
		if (path != null) {
			for (String directory : path.split(File.pathSeparator)) {
				Path candidate = Path.of(directory, "redis-server");
				if (Files.isExecutable(candidate)) {
					return candidate;
				}
			}
		}
		return embeddedBinary();
	}

	/**
	 * The binary shipped in embedded-redis' jar for this OS and architecture, extracted once.
	 */
	private static synchronized Path embeddedBinary() {
		String resource = embeddedResourceName();
		Path target = Path.of(System.getProperty("java.io.tmpdir"), "rill-" + resource);
		if (Files.isExecutable(target)) {
			return target;
		}
		try (InputStream in = RedisServerProcess.class.getClassLoader().getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException("No redis-server on PATH and embedded-redis has no " + resource);
			}
			Path temporary = Files.createTempFile("rill-redis-", ".tmp");
			Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
			temporary.toFile().setExecutable(true);
			Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			return target;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String embeddedResourceName() {
		String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
		boolean arm = arch.contains("aarch64") || arch.contains("arm");
		if (os.contains("mac")) {
			return arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
		}
		if (os.contains("linux")) {
			return arm ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64";
		}
		throw new IllegalStateException("No redis-server on PATH and no embedded binary for " + os + "/" + arch);
	}

	/** The {@code appendfsync} policy of a server with AOF persistence. */
	public enum Fsync {

		/** fsync after every write: nothing acknowledged is lost in a crash. */
		ALWAYS,
		/** fsync once a second: up to a second of writes may be lost in a crash. */
		EVERYSEC,
		/** leave fsync to the operating system. */
		NO

	}

	/** Builds a {@link RedisServerProcess}. */
	public static final class Builder {

		private int port;

		private Fsync appendFsync;

		private boolean useEmbeddedBinary;

		private final Map<String, String> settings = new LinkedHashMap<>();

		public Builder port(int port) {
			this.port = port;
			return this;
		}

		/**
		 * @param fsync the {@code appendfsync} policy; turns AOF persistence on
		 */
		public Builder appendOnly(Fsync fsync) {
			this.appendFsync = fsync;
			return this;
		}

		/**
		 * Use the binary shipped by embedded-redis even when one is on {@code PATH}.
		 */
		public Builder useEmbeddedBinary() {
			this.useEmbeddedBinary = true;
			return this;
		}

		/**
		 * @param name a redis.conf directive, without dashes
		 * @param value its value
		 */
		public Builder setting(String name, String value) {
			this.settings.put(name, value);
			return this;
		}

		public RedisServerProcess build() {
			return new RedisServerProcess(this);
		}

	}

}
