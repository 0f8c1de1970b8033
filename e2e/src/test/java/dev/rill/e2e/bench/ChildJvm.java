package dev.rill.e2e.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started from the test JVM's classpath to run one main class of this package, its output
 * in a log file. Closing it closes its standard input, then ends it ({@code SIGTERM}, then
 * {@code SIGKILL}).
 */
final class ChildJvm implements AutoCloseable {

	private final String name;

	private final Process process;

	private final Path log;

	private ChildJvm(String name, Process process, Path log) {
		this.name = name;
		this.process = process;
		this.log = log;
	}

	/**
	 * @param name for messages
	 * @param jvmOptions options before the main class
	 * @param properties system properties ({@code -Dname=value})
	 * @param mainClass the main class
	 * @param arguments its arguments
	 * @param log where its output goes
	 * @return the running JVM
	 */
	static ChildJvm start(String name, List<String> jvmOptions, Map<String, String> properties, Class<?> mainClass,
			List<String> arguments, Path log) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(mainClass.getName());
		command.addAll(arguments);
		try {
			Files.createDirectories(log.getParent());
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			return new ChildJvm(name, process, log);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start " + name, ex);
		}
	}

	long pid() {
		return this.process.pid();
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	/**
	 * @param timeout how long to wait
	 * @return its exit code
	 * @throws IllegalStateException when it does not exit in time
	 */
	int waitFor(Duration timeout) throws InterruptedException {
		if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new IllegalStateException(this.name + " did not finish within " + timeout + "\n" + logTail(40));
		}
		return this.process.exitValue();
	}

	String logTail(int lines) {
		try {
			List<String> all = Files.readAllLines(this.log, StandardCharsets.UTF_8);
			return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

	@Override
	public void close() {
		try {
			this.process.getOutputStream().close();
			if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
				this.process.destroy();
				if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
					this.process.destroyForcibly();
				}
			}
		}
		catch (IOException ex) {
			this.process.destroyForcibly();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
	}

}
