package dev.rill.binder.redis.inbound;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.rill.binder.redis.inbound.ConsumerFixture.BINDING;
import static dev.rill.binder.redis.inbound.ConsumerFixture.GROUP;
import static dev.rill.binder.redis.inbound.ConsumerFixture.REDIS_BINDING;
import static dev.rill.binder.redis.inbound.ConsumerFixture.STREAM;
import static dev.rill.binder.redis.inbound.ConsumerFixture.payloads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * What becomes of a group's work when one of its consumer processes dies with
 * {@code kill -9} in the middle of a stream: the entries it had read but not acknowledged
 * stay pending on its consumers, and the surviving instance's claimer takes them over
 * once they have been idle for {@code claim-idle-time}, processes them, and removes the
 * dead consumers from the group.
 * <p>
 * The dying instance is a real second JVM ({@link CrashingConsumerMain}, two consumers
 * named {@value #CHILD_NAME}{@code -0/-1}), killed with {@code SIGKILL} while it holds
 * pending entries; it records what it processed in a Redis hash. The survivor is a binding
 * of the same group in this JVM. Both work a few milliseconds per entry, so that the
 * stream is still far from drained when the child dies.
 * <p>
 * ORACLE: every entry written is processed at least once by one instance or the other
 * (sent &sube; processed); the group's pending list ends empty and the dead consumers leave
 * the group; duplicates are counted and printed ({@code sent / processed / lost /
 * duplicates}), and there are never more of them than entries the child held when it was
 * killed (only those can have been processed without being acknowledged).
 */
class ConsumerProcessCrashTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	private static final int ENTRIES = 2000;

	private static final String CHILD_NAME = "crashing";

	/** Shared by both instances: fast claims, and small reads so that entries spread. */
	private static final List<String> CONSUMER_SETTINGS = List.of(REDIS_BINDING + "claim-idle-time=2s",
			REDIS_BINDING + "claim-interval=200ms", REDIS_BINDING + "consumer-expiry=3s",
			REDIS_BINDING + "read-count=20");

	private static final Duration CHILD_WORK = Duration.ofMillis(5);

	private static final Duration SURVIVOR_WORK = Duration.ofMillis(2);

	@RegisterExtension
	final ConsumerFixture fixture = new ConsumerFixture(redis);

	private Process child;

	@AfterEach
	void close() throws InterruptedException {
		if (this.child != null) {
			this.child.destroyForcibly();
			this.child.waitFor(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void entriesHeldByAConsumerProcessKilledMidStreamAreProcessedByTheSurvivingInstance() throws Exception {
		Path childLog = startChild();
		ConsumerFixture.behaviour = message -> work(SURVIVOR_WORK);
		this.fixture.start(GROUP, CONSUMER_SETTINGS.toArray(String[]::new));
		await("the child JVM's binding runs (its log: " + childLog + ")").atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> childAlive(childLog) && this.fixture.command("GET", CrashingConsumerMain.READY) != null);

		List<String> sent = write(ENTRIES);
		await("the child processes entries and holds some").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> childAlive(childLog) && processedByChild() >= 100 && pendingOnChild() > 0);
		this.child.destroyForcibly(); // SIGKILL on Linux
		assertThat(this.child.waitFor(10, TimeUnit.SECONDS)).as("the child died").isTrue();
		long heldAtKill = pendingOnChild();
		long processedByChildAtKill = processedByChild();
		int processedBySurvivorAtKill = ConsumerFixture.received.size();
		assertThat(heldAtKill).as("entries pending on the child when it was killed").isPositive();

		await("every entry written is processed by one instance or the other").atMost(Duration.ofSeconds(40))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> tally().missing(sent).isEmpty());
		await("the pending list drains").until(() -> this.fixture.pending() == 0);
		await("the dead consumers leave the group").atMost(Duration.ofSeconds(15))
			.until(() -> childConsumers().isEmpty());

		DeliveryTally tally = tally();
		System.out.println(tally.oracle("kill -9 of a consumer JVM", sent) + "; the child had processed "
				+ processedByChildAtKill + " and held " + heldAtKill + " pending when killed; this JVM processed "
				+ processedBySurvivorAtKill + " before the kill and " + ConsumerFixture.received.size() + " in all");
		assertThat(tally.missing(sent)).as("lost entries").isEmpty();
		assertThat(tally.processed()).as("processed only what was written").isSubsetOf(sent);
		assertThat(tally.duplicates()).as("duplicates: at most the entries the child held when it died")
			.isLessThanOrEqualTo(heldAtKill);
		assertThat(processedByChild()).as("the dead child processed nothing after the kill")
			.isEqualTo(processedByChildAtKill);
	}

	/**
	 * Start {@link CrashingConsumerMain} in a JVM of its own, with this JVM's class path,
	 * its output going to a file under {@code target/}.
	 * @return the file
	 */
	private Path startChild() throws IOException {
		Path directory = Path.of(System.getProperty("basedir", "."), "target", "fault-tests");
		Files.createDirectories(directory);
		Path log = directory.resolve("crashing-consumer-" + System.currentTimeMillis() + ".log");
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				// A small, quickly started JVM: the machine is shared.
				"-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
				System.getProperty("java.class.path"), CrashingConsumerMain.class.getName()));
		command.addAll(List.of("spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
				"spring.cloud.function.definition=sink", "spring.cloud.stream.bindings.sink-in-0.destination=" + STREAM,
				"spring.cloud.stream.bindings.sink-in-0.group=" + GROUP, BINDING + "concurrency=2",
				REDIS_BINDING + "consumer-name=" + CHILD_NAME, "crashing-consumer.work=" + CHILD_WORK.toMillis() + "ms"));
		command.addAll(CONSUMER_SETTINGS);
		this.child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		return log;
	}

	/** Whether the child still runs; fails the test with the end of its log when it exited. */
	private boolean childAlive(Path log) {
		if (!this.child.isAlive()) {
			fail("The child JVM exited with code " + this.child.exitValue() + "; the end of " + log + ":\n"
					+ tail(log, 40));
		}
		return true;
	}

	/** Append {@code count} text entries {@code m-1 ... m-count} in one script. */
	private List<String> write(int count) {
		this.fixture.command("EVAL", """
				for i = 1, tonumber(ARGV[1]) do
				  redis.call('XADD', KEYS[1], '*', 'payload', 'm-' .. i, 'contentType', 'text/plain')
				end
				return 1
				""", "1", STREAM, Integer.toString(count));
		return IntStream.rangeClosed(1, count).mapToObj(i -> "m-" + i).toList();
	}

	/** What both instances processed so far. */
	private DeliveryTally tally() {
		return new DeliveryTally().addAll(payloads())
			.addHash(this.fixture.command("HGETALL", CrashingConsumerMain.PROCESSED));
	}

	private long processedByChild() {
		return Long.parseLong(this.fixture.command("HLEN", CrashingConsumerMain.PROCESSED));
	}

	/** How many entries the child's consumers hold (XPENDING summary). */
	private long pendingOnChild() {
		String[] summary = this.fixture.command("XPENDING", STREAM, GROUP).split("\n");
		// count, smallest id, greatest id, then (consumer, count) pairs
		long pending = 0;
		for (int i = 3; i + 1 < summary.length; i += 2) {
			if (summary[i].startsWith(CHILD_NAME + "-")) {
				pending += Long.parseLong(summary[i + 1]);
			}
		}
		return pending;
	}

	/**
	 * The child's consumers in the group, with how many entries each holds. (On Redis
	 * before 7.2 a consumer that waits in a blocking read without getting anything is not
	 * refreshed, so a live but idle consumer may be missing: only used once it is dead.)
	 */
	private Map<String, Long> childConsumers() {
		String reply = this.fixture.command("XINFO", "CONSUMERS", STREAM, GROUP);
		Map<String, Long> consumers = new LinkedHashMap<>();
		if (reply == null || reply.startsWith("-")) {
			return consumers;
		}
		// name, <name>, pending, <count>, idle, <ms>[, inactive, <ms>] per consumer
		String[] fields = reply.split("\n");
		String name = null;
		for (int i = 0; i + 1 < fields.length; i += 2) {
			if (fields[i].equals("name")) {
				name = fields[i + 1];
			}
			else if (fields[i].equals("pending") && name != null && name.startsWith(CHILD_NAME + "-")) {
				consumers.put(name, Long.parseLong(fields[i + 1]));
			}
		}
		return consumers;
	}

	/** Simulated work of a handler (not a wait for some condition). */
	private static void work(Duration duration) {
		LockSupport.parkNanos(duration.toNanos());
	}

	private static String tail(Path file, int lines) {
		try {
			List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
			return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
		}
		catch (IOException | UncheckedIOException ex) {
			return "(unreadable: " + ex + ")";
		}
	}

}
