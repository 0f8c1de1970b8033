package dev.rill.e2e.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Spring Boot service run as a JVM of its own from its packaged jar
 * ({@code java -jar order-app.jar --server.port=...}), its output appended to a log file.
 * <p>
 * It keeps its port across restarts, so clients and the other services need no new address.
 * It can be stopped gracefully ({@link #stop()}, {@code SIGTERM}), killed as a crash would
 * ({@link #kill()}, {@code SIGKILL}), frozen and thawed ({@link #signal(String) SIGSTOP /
 * SIGCONT}) and started again ({@link #restart()}). Every process that was started and has not
 * been stopped is killed by a JVM shutdown hook, so an aborted test run leaves no service behind.
 */
public final class ServiceProcess implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ServiceProcess.class);

	private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

	/** Started, not yet stopped: what the shutdown hook cleans up. */
	private static final Set<ServiceProcess> RUNNING = ConcurrentHashMap.newKeySet();

	private static final HttpClient HTTP = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(2))
		.build();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(ServiceProcess::stopAllAtExit, "service-process-cleanup"));
	}

	private final String name;

	private final Path jar;

	private final int port;

	private final List<String> jvmOptions;

	private final List<String> arguments;

	private final Path logFile;

	private volatile Process process;

	/** Whether it was started before: the first start truncates the log, restarts append to it. */
	private boolean startedBefore;

	/**
	 * @param name the service's name, e.g. {@code order-app} (for messages)
	 * @param jar its executable jar
	 * @param port the HTTP port it gets ({@code --server.port}); {@code 0} picks a free one now
	 * @param jvmOptions options before {@code -jar}, e.g. {@code -Xmx256m}
	 * @param arguments application arguments after the jar, e.g. {@code --spring.profiles.active=kafka}
	 * @param logFile where its stdout and stderr go: emptied by the first {@link #start()}, appended
	 * to by restarts
	 */
	public ServiceProcess(String name, Path jar, int port, List<String> jvmOptions, List<String> arguments,
			Path logFile) {
		this.name = Objects.requireNonNull(name, "name");
		this.jar = Objects.requireNonNull(jar, "jar");
		this.port = (port > 0) ? port : freePort();
		this.jvmOptions = List.copyOf(jvmOptions);
		this.arguments = List.copyOf(arguments);
		this.logFile = Objects.requireNonNull(logFile, "logFile");
	}

	/**
	 * @return a TCP port nobody listened on a moment ago
	 */
	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free port", ex);
		}
	}

	/**
	 * @param port a TCP port
	 * @return whether nothing listens on it on any local address
	 */
	public static boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket(port)) {
			socket.setReuseAddress(true);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Start the JVM (unless it runs) without waiting for it to be ready; see {@link #awaitHealthy(Duration)}.
	 * @return this
	 */
	public synchronized ServiceProcess start() {
		return startWith(List.of());
	}

	/**
	 * Start the JVM (unless it runs) with more application arguments than it was created with,
	 * e.g. to run it with other settings for a while; the next {@link #start()} uses the original
	 * arguments again. Does not wait for it to be ready.
	 * @param extraArguments arguments after the others, e.g. {@code --rill.notification.channel=webhook}
	 * @return this
	 */
	public synchronized ServiceProcess startWith(List<String> extraArguments) {
		if (isAlive()) {
			return this;
		}
		if (!Files.isRegularFile(this.jar)) {
			throw new IllegalStateException("No jar " + this.jar + " for " + this.name
					+ ": build the services first (./mvnw -DskipTests package)");
		}
		List<String> command = command(extraArguments);
		try {
			Files.createDirectories(this.logFile.toAbsolutePath().getParent());
			Files.writeString(this.logFile,
					"----- " + Instant.now() + " starting " + this.name + ": " + String.join(" ", command) + "\n",
					StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
					this.startedBefore ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
			this.startedBefore = true;
			this.process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(this.logFile.toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start " + this.name, ex);
		}
		RUNNING.add(this);
		logger.info("Started {} on port {}, pid {}, log {}", this.name, this.port, this.process.pid(), this.logFile);
		return this;
	}

	private List<String> command(List<String> extraArguments) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(this.jvmOptions);
		command.add("-jar");
		command.add(this.jar.toString());
		command.add("--server.port=" + this.port);
		command.addAll(this.arguments);
		command.addAll(extraArguments);
		return command;
	}

	/**
	 * Wait until {@code /actuator/health} answers 200 (status UP, the binder's health included).
	 * @param timeout how long to wait
	 * @return this
	 * @throws IllegalStateException when the process exits or is not healthy in time; the
	 * message holds the tail of its log
	 */
	public ServiceProcess awaitHealthy(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			Process current = this.process;
			if (current == null || !current.isAlive()) {
				throw new IllegalStateException(this.name + " is not running"
						+ ((current != null) ? " (exit code " + current.exitValue() + ")" : "") + ".\n" + logTail(40));
			}
			if (isHealthy()) {
				return this;
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException(this.name + " was not healthy within " + timeout.toSeconds()
						+ " s: " + health() + "\n" + logTail(40));
			}
			sleep(POLL_INTERVAL);
		}
	}

	/**
	 * @return whether {@code /actuator/health} answers 200 now
	 */
	public boolean isHealthy() {
		return health().startsWith("200 ");
	}

	/**
	 * @return the status code and body of {@code /actuator/health}, or why there is none
	 */
	public String health() {
		return health(Duration.ofSeconds(3));
	}

	/**
	 * @param timeout how long to wait for the answer (health waits on every indicator, e.g. one
	 * whose store does not answer)
	 * @return the status code and body of {@code /actuator/health}, or why there is none
	 */
	public String health(Duration timeout) {
		try {
			HttpResponse<String> response = HTTP.send(
					HttpRequest.newBuilder(uri("/actuator/health")).timeout(timeout).GET().build(),
					HttpResponse.BodyHandlers.ofString());
			return response.statusCode() + " " + response.body();
		}
		catch (IOException ex) {
			return "unreachable: " + ex;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "interrupted";
		}
	}

	/**
	 * Stop gracefully: {@code SIGTERM}, which lets Spring finish in-flight messages, then
	 * {@code SIGKILL} if it has not exited within 20 s. Does nothing when not running.
	 */
	public void stop() {
		stop(STOP_TIMEOUT);
	}

	/**
	 * @param timeout how long to wait after {@code SIGTERM} before {@code SIGKILL}
	 * @see #stop()
	 */
	public synchronized void stop(Duration timeout) {
		Process current = this.process;
		if (current != null && current.isAlive()) {
			current.destroy();
			if (!waitFor(current, timeout)) {
				logger.warn("{} did not exit within {} s of SIGTERM, killing it", this.name, timeout.toSeconds());
				current.destroyForcibly();
				waitFor(current, STOP_TIMEOUT);
			}
			logger.info("Stopped {} (exit code {})", this.name, exitCode(current));
		}
		RUNNING.remove(this);
	}

	/**
	 * Kill with {@code SIGKILL}, as a crash would: nothing in flight is finished or acknowledged.
	 */
	public synchronized void kill() {
		Process current = this.process;
		if (current != null && current.isAlive()) {
			current.destroyForcibly();
			waitFor(current, STOP_TIMEOUT);
			logger.info("Killed {} (pid {})", this.name, current.pid());
		}
		RUNNING.remove(this);
	}

	/**
	 * Send a signal with {@code kill -<signal> <pid>}, e.g. {@code STOP} to freeze the JVM (its
	 * Redis connections stay open, it answers nothing) and {@code CONT} to let it go on.
	 * @param signal the signal's name without {@code SIG}
	 */
	public void signal(String signal) {
		Process current = this.process;
		if (current == null || !current.isAlive()) {
			throw new IllegalStateException(this.name + " is not running");
		}
		signal(current.pid(), signal);
	}

	/**
	 * Send a signal to any process with {@code kill -<signal> <pid>}.
	 * @param pid the process
	 * @param signal the signal's name without {@code SIG}, e.g. {@code STOP}
	 */
	public static void signal(long pid, String signal) {
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).inheritIO().start();
			if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
				throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

	/**
	 * Stop gracefully (if running) and start again on the same port with the same arguments,
	 * appending to the same log. Does not wait for health.
	 * @return this
	 */
	public synchronized ServiceProcess restart() {
		stop();
		return start();
	}

	/** Same as {@link #stop()}. */
	@Override
	public void close() {
		stop();
	}

	/**
	 * @return whether the process runs
	 */
	public boolean isAlive() {
		Process current = this.process;
		return current != null && current.isAlive();
	}

	/**
	 * @return the process id of the current (or last) process
	 */
	public long pid() {
		Process current = this.process;
		if (current == null) {
			throw new IllegalStateException(this.name + " was never started");
		}
		return current.pid();
	}

	/**
	 * @return the service's name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * @return its HTTP port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * @return {@code http://127.0.0.1:<port>}
	 */
	public URI baseUri() {
		return URI.create("http://127.0.0.1:" + this.port);
	}

	/**
	 * @param path a path starting with {@code /}
	 * @return the URI of that path on this service
	 */
	public URI uri(String path) {
		return baseUri().resolve(path);
	}

	/**
	 * @return the file its output goes to
	 */
	public Path logFile() {
		return this.logFile;
	}

	/**
	 * @return everything it logged so far (all starts)
	 */
	public String log() {
		try {
			return Files.exists(this.logFile) ? Files.readString(this.logFile, StandardCharsets.UTF_8) : "";
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * @param lines how many lines
	 * @return the last lines of its log
	 */
	public String logTail(int lines) {
		List<String> all = log().lines().toList();
		return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
	}

	@Override
	public String toString() {
		return this.name + "[port " + this.port + ", " + (isAlive() ? "pid " + pid() : "not running") + "]";
	}

	private static boolean waitFor(Process process, Duration timeout) {
		try {
			return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return !process.isAlive();
		}
	}

	private static String exitCode(Process process) {
		return process.isAlive() ? "none yet" : String.valueOf(process.exitValue());
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

	// SIGTERM to all first, so that they shut down in parallel; whoever is still there after a
	// few seconds is killed (a shutdown hook should not hold the JVM for long).
	private static void stopAllAtExit() {
		List<Process> processes = RUNNING.stream().map(service -> service.process).filter(Objects::nonNull).toList();
		processes.forEach(Process::destroy);
		long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
		for (Process process : processes) {
			long left = deadline - System.nanoTime();
			if (left <= 0 || !waitFor(process, Duration.ofNanos(left))) {
				process.destroyForcibly();
			}
		}
	}

}
