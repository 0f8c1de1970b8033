package dev.rill.binder.redis.test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private {@code redis-server} process on a free loopback port, for integration tests
 * that need a real Redis and for fault-injection tests that stop it, kill it
 * ({@code SIGKILL}, as a crash would) and restart it on the same port, with or without its
 * data.
 * <pre>
 * try (RedisServerProcess redis = RedisServerProcess.builder().appendOnly(Fsync.ALWAYS).build().start()) {
 *     redis.command("SET", "k", "v");
 *     redis.kill();
 *     redis.restart();   // same port, AOF replayed: "k" is still there
 * }
 * </pre>
 * <p>
 * <b>Binary.</b> The {@code redis-server} found on {@code PATH}; where there is none (or
 * when {@link Builder#useEmbeddedBinary()} asks for it), the one that
 * {@code com.github.codemonstur:embedded-redis} ships inside its jar for this OS and
 * architecture (a Redis 6.2 on Linux and macOS, 5.0 on Windows), extracted once per JVM by
 * that library's own {@code ExecutableProvider}.
 * <p>
 * <b>Process.</b> The server never daemonizes: the fixture keeps its {@link Process}, so
 * that it can kill it and know when it has exited. It listens on {@code 127.0.0.1} only,
 * never on 6379 (a developer's own Redis), with RDB snapshots off ({@code save ""}) and,
 * unless asked for, AOF off. Its working directory (AOF files) and its log
 * ({@value #LOG_FILE}) are in a private temporary directory, deleted by {@link #close()}.
 * <p>
 * <b>Leaks.</b> Every instance that has not been closed is known to a JVM shutdown hook,
 * which kills its process and deletes its directory, so a test that forgets to close one
 * (or a JVM ended by the build tool) leaves no {@code redis-server} behind.
 * <p>
 * <b>TLS.</b> With {@link Builder#tls()} the server listens only for TLS ({@code --port 0
 * --tls-port PORT}), with a certificate for {@code 127.0.0.1} and {@code localhost} signed
 * by a private CA ({@link TlsCertificates}, made in the data directory's {@value #TLS_DIRECTORY}
 * directory on first start); {@link #command(String...)} and the fixture's own commands then
 * speak TLS, trusting that CA.
 * <p>
 * <b>Sentinel.</b> With {@link Builder#sentinel(String)} the process is a Redis Sentinel
 * ({@code redis-server sentinel.conf --sentinel}) rather than a data server.
 * <p>
 * Lifecycle methods are synchronized; {@link #command(String...)} and
 * {@link #isRunning()} are not, so a test may for example block the server with
 * {@code DEBUG SLEEP} on one thread and kill it from another.
 */
public final class RedisServerProcess implements AutoCloseable {

	/** The only address the server listens on. */
	public static final String HOST = "127.0.0.1";

	/** The name of the server's log file in its {@link #dataDirectory()}. */
	public static final String LOG_FILE = "redis.log";

	/**
	 * Where the process' own stdout and stderr go. Redis writes to it only what comes
	 * before it opens its log file, chiefly {@code FATAL CONFIG FILE ERROR}s.
	 */
	private static final String CONSOLE_FILE = "redis-console.log";

	/** The subdirectory of the data directory that holds a TLS server's certificates. */
	public static final String TLS_DIRECTORY = "tls";

	/** The name of a Sentinel's configuration file in its data directory. */
	public static final String SENTINEL_CONFIG_FILE = "sentinel.conf";

	/** The name of the Spring Boot SSL bundle that {@link #springSslProperties()} defines. */
	public static final String SSL_BUNDLE = "rill-test-redis";

	private static final Logger logger = LoggerFactory.getLogger(RedisServerProcess.class);

	private static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

	/** How often {@link #start()} tries again when the port is still held by someone else. */
	private static final int START_ATTEMPTS = 5;

	private static final Pattern VERSION = Pattern.compile("v=(\\S+)");

	private static final Pattern PROCESS_ID = Pattern.compile("process_id:(\\d+)");

	/** Directives the fixture itself relies on; see {@link Builder#setting}. */
	private static final Set<String> RESERVED_SETTINGS = Set.of("port", "bind", "dir", "logfile", "daemonize",
			"appendonly", "appendfsync", "unixsocket", "tls-port", "include");

	/** Instances not yet closed: what the shutdown hook cleans up. */
	private static final Set<RedisServerProcess> OPEN = ConcurrentHashMap.newKeySet();

	private static final Map<Path, String> VERSIONS = new ConcurrentHashMap<>();

	private static final Map<Path, Boolean> TLS_SUPPORT = new ConcurrentHashMap<>();

	private static Path embeddedBinary;

	static {
		Runtime.getRuntime()
			.addShutdownHook(new Thread(RedisServerProcess::cleanUpAtExit, "redis-server-fixture-cleanup"));
	}

	private final Path binary;

	private final int port;

	private final Fsync appendFsync;

	private final Map<String, String> settings;

	private final Duration startupTimeout;

	private final Path dataDirectory;

	private final boolean tls;

	private final String sentinelConfig;

	private volatile TlsCertificates certificates;

	// Volatile, not guarded by the monitor: isRunning() and the shutdown hook read it
	// while a lifecycle method may be blocked (e.g. stop() waiting for a busy server).
	private volatile Process process;

	private RedisServerProcess(Builder builder) {
		this.binary = (builder.binary != null) ? builder.binary
				: builder.useEmbeddedBinary ? embeddedBinary() : binaryOnPathOrEmbedded();
		this.port = (builder.port > 0) ? builder.port : freePort();
		this.appendFsync = builder.appendFsync;
		this.settings = new LinkedHashMap<>(builder.settings);
		this.startupTimeout = builder.startupTimeout;
		this.tls = builder.tls;
		this.sentinelConfig = builder.sentinelConfig;
		try {
			this.dataDirectory = Files.createTempDirectory("redis-fixture-" + this.port + "-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not create a data directory for redis-server", ex);
		}
		OPEN.add(this);
	}

	/**
	 * @return a builder of a server with default settings: a free port, no persistence, the
	 * binary on {@code PATH}
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Start the server, unless it runs already, and wait until it answers {@code PING}
	 * (which, with AOF on, is after it has replayed its AOF). When the port is still held
	 * (e.g. by a connection of a killed server's), tries again a few times.
	 * @return this server
	 * @throws IllegalStateException when the server does not come up within the startup
	 * timeout (10 s by default) or exits; the message holds the tail of its log
	 */
	public synchronized RedisServerProcess start() {
		if (isRunning()) {
			return this;
		}
		try {
			Files.createDirectories(this.dataDirectory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		OPEN.add(this);
		if (this.tls) {
			tlsCertificates();
		}
		if (this.sentinelConfig != null && !Files.exists(sentinelConfigFile())) {
			// Only when missing: Sentinel rewrites the file with what it learned (replicas,
			// other Sentinels, epochs), which a restart should keep.
			try {
				Files.writeString(sentinelConfigFile(), this.sentinelConfig);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		for (int attempt = 1;; attempt++) {
			if (launchAndAwaitPing()) {
				logger.info("Started redis-server {} ({}) on {}, pid {}, AOF {}, data in {}", version(), this.binary,
						uri(), this.process.pid(),
						(this.appendFsync != null) ? "appendfsync " + this.appendFsync.redisValue() : "off",
						this.dataDirectory);
				return this;
			}
			if (attempt == START_ATTEMPTS) {
				throw new IllegalStateException("redis-server could not listen on " + HOST + ":" + this.port
						+ " after " + START_ATTEMPTS + " attempts: the port is in use.\n" + diagnostics());
			}
			logger.info("Port {} is still in use, starting redis-server again (attempt {} of {})", this.port,
					attempt + 1, START_ATTEMPTS);
			pause(Duration.ofMillis(200L * attempt));
		}
	}

	/**
	 * @return {@code true} once the process answers PING, {@code false} when it exited
	 * because the port was in use
	 */
	private boolean launchAndAwaitPing() {
		Path log = logFile();
		long logOffset = size(log);
		long consoleOffset = size(consoleFile());
		Process started;
		try {
			started = new ProcessBuilder(commandLine()).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(consoleFile().toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run " + this.binary, ex);
		}
		this.process = started;
		RespClient client = client(Duration.ofSeconds(1));
		long deadline = System.nanoTime() + this.startupTimeout.toNanos();
		// A plain polling loop rather than Awaitility: this class is shared with other modules
		// as a test-jar and should not impose its test dependencies on them.
		while (System.nanoTime() < deadline) {
			if (!started.isAlive()) {
				String output = readFrom(log, logOffset) + readFrom(consoleFile(), consoleOffset);
				if (output.contains("Address already in use")) {
					return false;
				}
				throw new IllegalStateException("redis-server on port " + this.port + " exited with code "
						+ started.exitValue() + " while starting.\n" + diagnostics());
			}
			try {
				// While it replays its AOF the server answers -LOADING: keep waiting. A PONG
				// only counts if it comes from our process and not some other server that
				// holds the port (ours would exit with "Address already in use" shortly).
				if ("PONG".equals(client.command("PING")) && started.pid() == serverPid(client)) {
					return true;
				}
			}
			catch (UncheckedIOException ex) {
				// Not listening yet.
			}
			pause(Duration.ofMillis(20));
		}
		killProcess(started);
		throw new IllegalStateException("redis-server on port " + this.port + " did not answer PING within "
				+ this.startupTimeout.toSeconds() + " s.\n" + diagnostics());
	}

	private List<String> commandLine() {
		List<String> command = new ArrayList<>(List.of(this.binary.toString()));
		if (this.sentinelConfig != null) {
			command.addAll(List.of(sentinelConfigFile().toString(), "--sentinel"));
		}
		if (this.tls) {
			TlsCertificates tlsFiles = tlsCertificates();
			command.addAll(List.of("--port", "0", "--tls-port", String.valueOf(this.port), "--tls-cert-file",
					tlsFiles.serverCertificate().toString(), "--tls-key-file", tlsFiles.serverKey().toString(),
					"--tls-ca-cert-file", tlsFiles.caCertificate().toString(), "--tls-auth-clients", "no"));
		}
		else {
			command.addAll(List.of("--port", String.valueOf(this.port)));
		}
		command.addAll(List.of("--bind", HOST, "--protected-mode", "no", "--save", "", "--daemonize", "no", "--dir",
				this.dataDirectory.toString(), "--logfile", logFile().toString()));
		if (this.appendFsync != null) {
			command.addAll(List.of("--appendonly", "yes", "--appendfsync", this.appendFsync.redisValue()));
		}
		else {
			command.addAll(List.of("--appendonly", "no"));
		}
		// Redis 7 refuses DEBUG (and so DEBUG SLEEP, a handy way to make the server hang) by
		// default; Redis 6.2 does not know the directive and would refuse to start with it.
		if (majorVersion() >= 7 && !this.settings.containsKey("enable-debug-command")) {
			command.addAll(List.of("--enable-debug-command", "yes"));
		}
		this.settings.forEach((name, value) -> command.addAll(List.of("--" + name, value)));
		return command;
	}

	private int majorVersion() {
		Matcher matcher = Pattern.compile("^(\\d+)\\.").matcher(version());
		return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
	}

	private static long serverPid(RespClient client) {
		String info = client.command("INFO", "server");
		Matcher matcher = PROCESS_ID.matcher((info != null) ? info : "");
		return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
	}

	/**
	 * Stop the server gracefully and wait for it to exit: {@code SHUTDOWN} when AOF is on (the
	 * server fsyncs its AOF before exiting), {@code SHUTDOWN NOSAVE} otherwise; when the
	 * server refuses or does not exit, {@code SIGTERM}, then {@code SIGKILL}. Does nothing
	 * when it is not running. Afterwards the port refuses connections.
	 */
	public synchronized void stop() {
		Process current = this.process;
		if (current == null || !current.isAlive()) {
			return;
		}
		boolean accepted;
		try {
			String reply = (this.appendFsync != null) ? command("SHUTDOWN") : command("SHUTDOWN", "NOSAVE");
			// A server that shuts down closes the connection without a reply.
			accepted = (reply == null);
			if (!accepted) {
				logger.warn("redis-server on port {} refused SHUTDOWN: {}", this.port, reply);
			}
		}
		catch (UncheckedIOException ex) {
			// Either the connection was reset as the server exited, or the server is unreachable
			// (e.g. busy): in both cases SIGTERM, which Redis handles like SHUTDOWN, is safe.
			accepted = false;
		}
		if (!accepted || !awaitExit(current)) {
			current.destroy();
			if (!awaitExit(current)) {
				logger.warn("redis-server on port {} ignored SIGTERM, killing it", this.port);
				killProcess(current);
			}
		}
		logger.info("Stopped redis-server on port {} (exit code {})", this.port, current.exitValue());
	}

	/**
	 * Kill the server with {@code SIGKILL} and wait for it to exit, as a crash would: nothing
	 * is flushed, so with AOF {@code everysec} or {@code no} the last writes may be lost. Does
	 * nothing when it is not running.
	 */
	public synchronized void kill() {
		Process current = this.process;
		if (current == null || !current.isAlive()) {
			return;
		}
		killProcess(current);
		logger.info("Killed redis-server on port {}", this.port);
	}

	/**
	 * Start again on the same port with the same data directory, so that with AOF on the
	 * data written before a {@link #kill()} or {@link #stop()} survives. Stops the server
	 * first (gracefully) when it is running.
	 * @return this server
	 */
	public synchronized RedisServerProcess restart() {
		stop();
		return start();
	}

	/**
	 * Start again on the same port with an empty data directory: a restart of a server
	 * without persistence, which comes back with no keys, streams or consumer groups. Kills
	 * the server first when it is running.
	 * @return this server
	 */
	public synchronized RedisServerProcess restartEmpty() {
		kill();
		deleteContents(this.dataDirectory);
		return start();
	}

	/**
	 * @return whether the server process is alive
	 */
	public boolean isRunning() {
		Process current = this.process;
		return current != null && current.isAlive();
	}

	/**
	 * @return the server's port: fixed for the life of this object, across restarts
	 */
	public int port() {
		return this.port;
	}

	/**
	 * @return {@code "127.0.0.1"}
	 */
	public String host() {
		return HOST;
	}

	/**
	 * @return {@code redis://127.0.0.1:PORT}, {@code rediss://127.0.0.1:PORT} with TLS
	 */
	public String uri() {
		return (this.tls ? "rediss://" : "redis://") + HOST + ":" + this.port;
	}

	/**
	 * @return whether the server listens only for TLS ({@link Builder#tls()})
	 */
	public boolean isTls() {
		return this.tls;
	}

	/**
	 * @return whether this is a Redis Sentinel ({@link Builder#sentinel(String)})
	 */
	public boolean isSentinel() {
		return this.sentinelConfig != null;
	}

	/**
	 * @return the CA and server certificate of a TLS server, made on first use
	 * @throws IllegalStateException when the server is not a TLS server
	 */
	public TlsCertificates tlsCertificates() {
		if (!this.tls) {
			throw new IllegalStateException(this + " does not use TLS");
		}
		TlsCertificates current = this.certificates;
		if (current == null) {
			synchronized (this) {
				current = this.certificates;
				if (current == null) {
					current = TlsCertificates.in(this.dataDirectory.resolve(TLS_DIRECTORY));
					this.certificates = current;
				}
			}
		}
		return current;
	}

	/**
	 * The properties that make Spring Boot's Lettuce connection speak TLS to this server,
	 * trusting its CA: an SSL bundle {@value #SSL_BUNDLE} whose trust store is the CA's PEM
	 * certificate, named by {@code spring.data.redis.ssl.bundle} (which turns SSL on).
	 * @return the properties, empty when the server does not use TLS
	 */
	public Map<String, Object> springSslProperties() {
		if (!this.tls) {
			return Map.of();
		}
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("spring.data.redis.ssl.bundle", SSL_BUNDLE);
		properties.put("spring.ssl.bundle.pem." + SSL_BUNDLE + ".truststore.certificate",
				tlsCertificates().caCertificate().toUri().toString());
		return properties;
	}

	/**
	 * @return whether this server's binary was built with TLS support (Debian's and
	 * Homebrew's are; a build without {@code BUILD_TLS=yes} is not)
	 */
	public boolean supportsTls() {
		return TLS_SUPPORT.computeIfAbsent(this.binary, RedisServerProcess::probeTlsSupport);
	}

	/**
	 * @return the {@code redis-server} binary this server runs
	 */
	public Path binary() {
		return this.binary;
	}

	/**
	 * @return the binary's version as reported by {@code redis-server --version}, e.g.
	 * {@code "7.0.15"}, or {@code "unknown"}
	 */
	public String version() {
		return versionOf(this.binary);
	}

	/**
	 * @return the AOF {@code appendfsync} policy, empty when AOF is off
	 */
	public Optional<Fsync> appendFsync() {
		return Optional.ofNullable(this.appendFsync);
	}

	/**
	 * @return the server's private working directory (AOF files, log), deleted by
	 * {@link #close()}
	 */
	public Path dataDirectory() {
		return this.dataDirectory;
	}

	/**
	 * @return the server's log file, kept across restarts (but not {@link #restartEmpty()})
	 */
	public Path logFile() {
		return this.dataDirectory.resolve(LOG_FILE);
	}

	/**
	 * @return a client that sends commands to this server, each on a new connection
	 */
	public RespClient client() {
		return client(Duration.ofSeconds(10));
	}

	/**
	 * @param readTimeout how long to wait for each reply
	 * @return a client that sends commands to this server, each on a new connection (over
	 * TLS, trusting the server's CA, when the server uses TLS)
	 */
	public RespClient client(Duration readTimeout) {
		return new RespClient(HOST, this.port, readTimeout, this.tls ? tlsCertificates().socketFactory() : null);
	}

	/**
	 * Send one command on a new connection, e.g. {@code command("XLEN", "orders")} or
	 * {@code command("CONFIG", "SET", "maxmemory", "1mb")}.
	 * @param args the command and its arguments
	 * @return the reply as text, see {@link RespClient#command(String...)}
	 * @throws UncheckedIOException when the server cannot be reached
	 */
	public String command(String... args) {
		return client().command(args);
	}

	/**
	 * Stop the server if it runs (gracefully, killing it if that fails) and delete its data
	 * directory. The object may be started again afterwards, with an empty directory.
	 */
	@Override
	public synchronized void close() {
		try {
			stop();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not stop redis-server on port {} gracefully, killing it", this.port, ex);
			kill();
		}
		finally {
			deleteRecursively(this.dataDirectory);
			OPEN.remove(this);
		}
	}

	@Override
	public String toString() {
		return "redis-server " + version() + " on " + uri() + (isRunning() ? " (running)" : " (not running)");
	}

	// ------------------------------------------------------------------ process helpers

	private static void killProcess(Process target) {
		// An AOF rewrite or BGSAVE runs in a forked child, which SIGKILL on the parent
		// would leave behind.
		target.descendants().forEach(ProcessHandle::destroyForcibly);
		target.destroyForcibly();
		if (!awaitExit(target)) {
			throw new IllegalStateException("redis-server pid " + target.pid() + " survived SIGKILL");
		}
	}

	private static boolean awaitExit(Process target) {
		try {
			return target.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return !target.isAlive();
		}
	}

	private static void pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for redis-server", ex);
		}
	}

	private static void cleanUpAtExit() {
		// No locks here: a test thread may hold one while the JVM exits.
		for (RedisServerProcess server : OPEN) {
			Process current = server.process;
			if (current != null && current.isAlive()) {
				current.descendants().forEach(ProcessHandle::destroyForcibly);
				current.destroyForcibly();
				try {
					current.waitFor(5, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			try {
				deleteRecursively(server.dataDirectory);
			}
			catch (RuntimeException ex) {
				// Best effort while the JVM exits.
			}
		}
	}

	// ------------------------------------------------------------------ diagnostics

	private Path consoleFile() {
		return this.dataDirectory.resolve(CONSOLE_FILE);
	}

	/**
	 * The end of the server's log and console output, for exception messages.
	 */
	private String diagnostics() {
		return "Command line: "
				+ String.join(" ", commandLine().stream().map((arg) -> arg.isEmpty() ? "\"\"" : arg).toList()) + "\n--- " + logFile() + " (tail) ---\n"
				+ tail(logFile(), 30) + "\n--- stdout/stderr (tail) ---\n" + tail(consoleFile(), 15);
	}

	private static String tail(Path file, int lines) {
		if (!Files.exists(file)) {
			return "(none)";
		}
		try {
			List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
			return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
		}
		catch (IOException | UncheckedIOException ex) {
			return "(unreadable: " + ex + ")";
		}
	}

	private static long size(Path file) {
		try {
			return Files.exists(file) ? Files.size(file) : 0;
		}
		catch (IOException ex) {
			return 0;
		}
	}

	private static String readFrom(Path file, long offset) {
		if (!Files.exists(file)) {
			return "";
		}
		try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
			long length = in.length() - offset;
			if (length <= 0) {
				return "";
			}
			byte[] bytes = new byte[(int) Math.min(length, 1 << 20)];
			in.seek(offset);
			in.readFully(bytes);
			return new String(bytes, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			return "";
		}
	}

	// ------------------------------------------------------------------ files and ports

	private Path sentinelConfigFile() {
		return this.dataDirectory.resolve(SENTINEL_CONFIG_FILE);
	}

	/** Everything but the TLS certificates, which clients trust across restarts. */
	private static void deleteContents(Path directory) {
		if (!Files.isDirectory(directory)) {
			return;
		}
		try (Stream<Path> children = Files.list(directory)) {
			children.filter(child -> !child.getFileName().toString().equals(TLS_DIRECTORY))
				.forEach(RedisServerProcess::deleteRecursively);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void deleteRecursively(Path path) {
		if (!Files.exists(path)) {
			return;
		}
		try (Stream<Path> files = Files.walk(path)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(file);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not delete " + path, ex);
		}
	}

	private static int freePort() {
		// The port is free now; another process could take it before redis-server binds it,
		// which start() reports (after a few attempts) with the server's log.
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not find a free port", ex);
		}
	}

	// ------------------------------------------------------------------ binaries

	private static Path binaryOnPathOrEmbedded() {
		Optional<Path> onPath = binaryOnPath();
		if (onPath.isPresent()) {
			logBinary("PATH", onPath.get());
			return onPath.get();
		}
		logger.info("No redis-server on PATH, using the one embedded-redis ships");
		return embeddedBinary();
	}

	/**
	 * @return the first executable {@code redis-server} in the directories of {@code PATH}
	 */
	static Optional<Path> binaryOnPath() {
		return Executables.onPath("redis-server");
	}

	/**
	 * The binary shipped in embedded-redis' jar for this OS and architecture, extracted (by
	 * the library, to a temporary directory it deletes at JVM exit) once per JVM.
	 */
	static synchronized Path embeddedBinary() {
		if (embeddedBinary != null && Files.isExecutable(embeddedBinary)) {
			return embeddedBinary;
		}
		try {
			embeddedBinary = extractEmbeddedBinary().toPath();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not extract the redis-server binary of embedded-redis", ex);
		}
		catch (RuntimeException | LinkageError ex) {
			// NoClassDefFoundError without embedded-redis on the classpath; an exception (or a
			// NullPointerException for a missing map entry) on an OS/architecture it lacks.
			throw new IllegalStateException("No redis-server on PATH and none embedded for "
					+ System.getProperty("os.name") + "/" + System.getProperty("os.arch")
					+ " (is com.github.codemonstur:embedded-redis on the classpath?)", ex);
		}
		logBinary("embedded-redis", embeddedBinary);
		return embeddedBinary;
	}

	private static File extractEmbeddedBinary() throws IOException {
		try {
			// The library's own API: it detects OS and architecture, picks the matching
			// resource of its jar and writes it as an executable file in a new temporary
			// directory (deleted at JVM exit).
			return redis.embedded.core.ExecutableProvider.newJarResourceProvider().get();
		}
		catch (redis.embedded.error.OsArchitectureNotFound ex) {
			// Its architecture detection runs "uname -m", found on PATH, and PATH may be as
			// bare as the one that lacks redis-server. Same resources, picked from the JVM's
			// os.arch instead.
			redis.embedded.model.OsArchitecture platform = new redis.embedded.model.OsArchitecture(
					redis.embedded.model.OS.detectOS(), jvmArchitecture());
			String resource = redis.embedded.core.ExecutableProvider.newProvidedVersionsMap().get(platform);
			if (resource == null) {
				throw new IllegalStateException("embedded-redis has no binary for " + platform.os + "/" + platform.arch,
						ex);
			}
			return redis.embedded.util.IO.writeResourceToExecutableFile(redis.embedded.util.IO.newTempDirForBinary(),
					resource);
		}
	}

	private static redis.embedded.model.Architecture jvmArchitecture() {
		String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
		if (arch.equals("aarch64") || arch.equals("arm64")) {
			return redis.embedded.model.Architecture.aarch64;
		}
		return arch.contains("64") ? redis.embedded.model.Architecture.x86_64 : redis.embedded.model.Architecture.x86;
	}

	private static void logBinary(String source, Path binary) {
		logger.info("Using redis-server {} from {}: {}", versionOf(binary), source, binary);
	}

	private static String versionOf(Path binary) {
		return VERSIONS.computeIfAbsent(binary, RedisServerProcess::readVersion);
	}

	// "redis-server --version" prints e.g. "Redis server v=7.0.15 sha=00000000:0 malloc=...".
	// Running it also shows early whether the binary can run here at all (the Linux binary
	// of embedded-redis, for one, needs OpenSSL 3's libssl.so.3).
	private static String readVersion(Path binary) {
		try {
			Process version = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
			String output;
			try (InputStream in = version.getInputStream()) {
				output = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
			}
			if (!version.waitFor(10, TimeUnit.SECONDS)) {
				version.destroyForcibly();
			}
			Matcher matcher = VERSION.matcher(output);
			if (matcher.find()) {
				return matcher.group(1);
			}
			logger.warn("Unexpected output of {} --version: {}", binary, output);
		}
		catch (IOException ex) {
			logger.warn("Could not run {} --version", binary, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return "unknown";
	}

	// A binary built with TLS knows the tls-port directive and, listening nowhere, exits with
	// "Configured to not listen anywhere"; one built without refuses the directive.
	private static Boolean probeTlsSupport(Path binary) {
		try {
			Process probe = new ProcessBuilder(binary.toString(), "--port", "0", "--tls-port", "0", "--save", "",
					"--daemonize", "no").redirectErrorStream(true).start();
			String output;
			try (InputStream in = probe.getInputStream()) {
				output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
			if (!probe.waitFor(10, TimeUnit.SECONDS)) {
				killProcess(probe);
			}
			boolean supported = output.contains("not listen anywhere");
			if (!supported) {
				logger.info("{} has no TLS support: {}", binary, output.trim());
			}
			return supported;
		}
		catch (IOException ex) {
			logger.warn("Could not run {} to check its TLS support", binary, ex);
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/** The AOF {@code appendfsync} policy of a server with AOF persistence. */
	public enum Fsync {

		/** fsync before acknowledging each write: nothing acknowledged is lost when killed. */
		ALWAYS,

		/** fsync once a second: about a second of acknowledged writes may be lost when killed. */
		EVERYSEC,

		/** leave fsync to the operating system (a kill of the process alone still loses nothing
		 * written to the file; a crash of the machine would). */
		NO;

		/**
		 * @return the value of the {@code appendfsync} directive
		 */
		public String redisValue() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

	/** Builds a {@link RedisServerProcess}; every option has a default. */
	public static final class Builder {

		private int port;

		private Fsync appendFsync;

		private boolean useEmbeddedBinary;

		private Path binary;

		private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;

		private final Map<String, String> settings = new LinkedHashMap<>();

		private boolean tls;

		private String sentinelConfig;

		private Builder() {
		}

		/**
		 * Listen only for TLS: {@code --port 0 --tls-port PORT}, with a server certificate
		 * for {@code 127.0.0.1} and {@code localhost} signed by a private CA made in the data
		 * directory ({@link RedisServerProcess#tlsCertificates()}); clients are not asked for
		 * certificates ({@code tls-auth-clients no}). Needs a binary built with TLS
		 * ({@link RedisServerProcess#supportsTls()}).
		 * @return this builder
		 */
		public Builder tls() {
			this.tls = true;
			return this;
		}

		/**
		 * Run a Redis Sentinel rather than a data server: {@code redis-server sentinel.conf
		 * --sentinel}, the file (in the data directory) written with {@code config} when it
		 * does not exist. Sentinel rewrites it with what it learns.
		 * @param config the file's initial contents, typically {@code sentinel monitor ...}
		 * and its timeouts
		 * @return this builder
		 */
		public Builder sentinel(String config) {
			this.sentinelConfig = Objects.requireNonNull(config, "config");
			return this;
		}

		/**
		 * @param port the port to listen on; {@code 0} (the default) for a free port. Never
		 * 6379, which belongs to a developer's own Redis.
		 * @return this builder
		 */
		public Builder port(int port) {
			if (port < 0 || port > 65535) {
				throw new IllegalArgumentException("Not a port: " + port);
			}
			if (port == 6379) {
				throw new IllegalArgumentException("A test Redis must not use 6379, the port of a real Redis");
			}
			this.port = port;
			return this;
		}

		/**
		 * Turn AOF persistence on ({@code appendonly yes}) with the given {@code appendfsync}
		 * policy, or off with {@code null} (the default).
		 * @param fsync the policy, {@code null} for no AOF
		 * @return this builder
		 */
		public Builder appendOnly(Fsync fsync) {
			this.appendFsync = fsync;
			return this;
		}

		/**
		 * Use the binary shipped by embedded-redis even when there is one on {@code PATH}.
		 * @return this builder
		 */
		public Builder useEmbeddedBinary() {
			this.useEmbeddedBinary = true;
			return this;
		}

		/**
		 * @param binary a {@code redis-server} binary to use instead of looking for one
		 * @return this builder
		 */
		public Builder binary(Path binary) {
			this.binary = Objects.requireNonNull(binary, "binary");
			return this;
		}

		/**
		 * @param timeout how long {@link RedisServerProcess#start()} waits for PING (10 s
		 * by default)
		 * @return this builder
		 */
		public Builder startupTimeout(Duration timeout) {
			this.startupTimeout = Objects.requireNonNull(timeout, "timeout");
			return this;
		}

		/**
		 * Add a {@code redis.conf} directive, passed as {@code --name value}, e.g.
		 * {@code setting("maxmemory", "10mb")}. It may override {@code save} or
		 * {@code protected-mode}, but not what the fixture relies on ({@code port},
		 * {@code bind}, {@code dir}, {@code logfile}, {@code daemonize}, the AOF options: use
		 * the builder's methods).
		 * @param name the directive, with or without leading dashes
		 * @param value its value (may hold spaces, e.g. {@code "3600 1"}; may be empty)
		 * @return this builder
		 */
		public Builder setting(String name, String value) {
			String directive = Objects.requireNonNull(name, "name").replaceFirst("^--", "").toLowerCase(Locale.ROOT);
			if (directive.isBlank() || RESERVED_SETTINGS.contains(directive)) {
				throw new IllegalArgumentException("The fixture manages '" + directive + "' itself");
			}
			this.settings.put(directive, Objects.requireNonNull(value, "value"));
			return this;
		}

		/**
		 * Resolve the binary (extracting the embedded one if needed), pick the port and create
		 * the data directory. Does not start the server.
		 * @return the server, not started
		 */
		public RedisServerProcess build() {
			return new RedisServerProcess(this);
		}

	}

}
