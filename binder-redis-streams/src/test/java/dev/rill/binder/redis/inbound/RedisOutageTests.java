package dev.rill.binder.redis.inbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import dev.rill.binder.redis.TestApplications;
import dev.rill.binder.redis.test.RedisServerExtension;
import dev.rill.binder.redis.test.RedisServerProcess.Fsync;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ConfigurableApplicationContext;

import static dev.rill.binder.redis.inbound.ConsumerFixture.GROUP;
import static dev.rill.binder.redis.inbound.ConsumerFixture.REDIS_BINDING;
import static dev.rill.binder.redis.inbound.ConsumerFixture.STREAM;
import static dev.rill.binder.redis.inbound.ConsumerFixture.payloads;
import static dev.rill.binder.redis.inbound.ConsumerFixture.received;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a running consumer binding survives when Redis itself goes away under load: Redis
 * killed ({@code SIGKILL}) for ten seconds and restarted with its AOF
 * ({@code appendfsync always}), and Redis restarted empty. A producer thread keeps
 * sending throughout, and counts which sends Redis acknowledged.
 * <p>
 * ORACLE, killed and restarted with its data: every acknowledged send is processed
 * (acknowledged &sube; processed), and so is every entry the stream holds at the end
 * (a send that timed out may still have been written); sends made after the restart are
 * processed too (consumption resumes); the binding's consumer threads are the same live
 * threads as before; the group's pending list ends empty; duplicates are counted and
 * printed ({@code sent / processed / lost / duplicates}).
 * <p>
 * ORACLE, restarted empty: the group is created again (with a WARN saying so), every
 * entry written after the restart is processed, the consumer threads are the same live
 * threads, the pending list ends empty. What the old Redis held and the consumer had not
 * processed is gone by definition; it is counted and printed, not asserted.
 * <p>
 * ({@code ConsumerBindingTests} covers a restart without data under an idle consumer.)
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisOutageTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.withAof(Fsync.ALWAYS);

	private static final Duration OUTAGE = Duration.ofSeconds(10);

	private final ConsumerFixture fixture = new ConsumerFixture(redis);

	private final List<Load> loads = new ArrayList<>();

	private ConfigurableApplicationContext producer;

	@BeforeEach
	void reset() {
		if (!redis.server().isRunning()) {
			redis.restart();
		}
		this.fixture.reset();
	}

	@AfterEach
	void close() {
		this.loads.forEach(Load::stop);
		this.loads.clear();
		if (!redis.server().isRunning()) {
			// A failed test may leave Redis down; closing the applications needs it.
			redis.restart();
		}
		if (this.producer != null) {
			this.producer.close();
			this.producer = null;
		}
		this.fixture.closeAll();
	}

	@Test
	void acknowledgedSendsSurviveRedisKilledForTenSecondsWithAofAlwaysAndConsumptionResumes() {
		// A read whose reply died with the connection leaves entries pending on the consumer
		// without its knowing; the claimer finds them on its next turns (claim-interval).
		this.fixture.start(GROUP, REDIS_BINDING + "claim-interval=1s");
		StreamBridge bridge = startProducer();
		List<Thread> consumerThreads = consumerThreads();
		assertThat(consumerThreads).as("consumer threads").isNotEmpty();
		Load load = load("sync sends", payload -> bridge.send("out-0", payload), Duration.ofMillis(2));
		await("sends are acknowledged and processed").atMost(Duration.ofSeconds(20))
			.until(() -> load.acknowledgedCount() >= 200 && received.size() >= 100);

		redis.kill();
		long killedAt = System.nanoTime();
		int acknowledgedAtKill = load.acknowledgedCount();
		// Awaitility here only lets the outage last OUTAGE, checking on the way that the
		// producer does see Redis down (its sync sends fail).
		await("Redis down for " + OUTAGE + " while sends fail").atMost(OUTAGE.multipliedBy(3))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> elapsed(killedAt).compareTo(OUTAGE) >= 0 && load.failures() >= 3);
		int failuresAtRestart = load.failures();
		redis.restart();
		long restartedAt = System.nanoTime();
		int lastAttemptBeforeRestart = load.attempts();

		await("the producer's sends are acknowledged again").atMost(Duration.ofSeconds(40))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> load.acknowledgedAfter(lastAttemptBeforeRestart).size() >= 200);
		Duration producerBack = elapsed(restartedAt);
		load.stop();
		List<String> acknowledged = load.acknowledged();
		List<String> acknowledgedAfterRestart = load.acknowledgedAfter(lastAttemptBeforeRestart);
		await("every acknowledged send is processed").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> tally().missing(acknowledged).isEmpty());
		Duration consumerBack = elapsed(restartedAt);
		await("the pending list drains").atMost(Duration.ofSeconds(20)).until(() -> this.fixture.pending() == 0);
		List<String> inStream = streamPayloads();
		await("every entry of the stream is processed").atMost(Duration.ofSeconds(20))
			.until(() -> tally().missing(inStream).isEmpty());

		DeliveryTally tally = tally();
		System.out.println(tally.oracle("Redis killed for " + OUTAGE.toSeconds() + " s, AOF always", acknowledged)
				+ "; attempts=" + load.attempts() + " failed=" + failuresAtRestart + " during the outage and "
				+ (load.failures() - failuresAtRestart) + " after the restart, acknowledged before the kill=" + acknowledgedAtKill + ", after the restart="
				+ acknowledgedAfterRestart.size() + ", entries in the stream=" + inStream.size()
				+ " (written but not acknowledged=" + (inStream.size() - acknowledged.size())
				+ "); sends acknowledged again " + producerBack.toMillis() + " ms and all processed "
				+ consumerBack.toMillis() + " ms after the restart");
		assertThat(tally.missing(acknowledged)).as("acknowledged sends lost").isEmpty();
		assertThat(acknowledgedAfterRestart).as("sends after the restart").isNotEmpty();
		assertThat(tally.missing(inStream)).as("entries of the stream never processed").isEmpty();
		assertThat(consumerThreads).as("the consumer threads, still running").allMatch(Thread::isAlive);
		assertThat(consumerThreads()).as("no consumer thread was replaced").containsExactlyElementsOf(consumerThreads);
	}

	@Test
	void consumerUnderLoadRecreatesItsGroupWhenRedisRestartsEmptyAndProcessesEverythingWrittenSince(
			CapturedOutput output) {
		// Simulated work, so that the consumer is busy with entries when Redis goes.
		ConsumerFixture.behaviour = message -> LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
		this.fixture.start(GROUP, REDIS_BINDING + "read-count=20");
		List<Thread> consumerThreads = consumerThreads();
		assertThat(consumerThreads).as("consumer threads").isNotEmpty();
		Load load = load("raw XADDs", payload -> this.fixture.xadd(payload).matches("\\d+-\\d+"),
				Duration.ofMillis(3));
		await("the consumer is busy").atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> received.size() >= 100 && this.fixture.pending() > 0);

		int processedBeforeRestart = received.size();
		redis.restartEmpty();
		int lastAttemptBeforeRestart = load.attempts();

		await("the group is created again").atMost(Duration.ofSeconds(20))
			.until(() -> this.fixture.command("XINFO", "GROUPS", STREAM).contains(GROUP));
		await("a WARN says the group had disappeared").atMost(Duration.ofSeconds(5))
			.until(() -> output.getOut().contains("Consumer group '" + GROUP + "' of stream '" + STREAM
					+ "' had disappeared"));
		await("entries are written to the new Redis").atMost(Duration.ofSeconds(20))
			.until(() -> load.acknowledgedAfter(lastAttemptBeforeRestart).size() >= 200);
		load.stop();
		List<String> writtenSince = load.acknowledgedAfter(lastAttemptBeforeRestart);
		List<String> inStream = streamPayloads();
		await("everything written since the restart is processed").atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> tally().missing(inStream).isEmpty());
		await("the pending list drains").until(() -> this.fixture.pending() == 0);

		DeliveryTally tally = tally();
		DeliveryTally sinceRestart = tally.only(inStream);
		Set<String> newRedis = new HashSet<>(inStream);
		List<String> acknowledgedByTheOldRedis = load.acknowledged()
			.stream()
			.filter(payload -> !newRedis.contains(payload))
			.toList();
		System.out.println(sinceRestart.oracle("Redis restarted empty, entries written since", inStream)
				+ "; before the restart: "
				+ acknowledgedByTheOldRedis.size() + " written, " + processedBeforeRestart + " processed, "
				+ tally.missing(acknowledgedByTheOldRedis).size() + " lost with the old Redis; failed writes="
				+ load.failures());
		assertThat(inStream).as("the new stream holds what was written since the restart")
			.containsAll(writtenSince);
		assertThat(tally.missing(inStream)).as("entries written since the restart never processed").isEmpty();
		assertThat(consumerThreads).as("the consumer threads, still running").allMatch(Thread::isAlive);
		assertThat(consumerThreads()).as("no consumer thread was replaced").containsExactlyElementsOf(consumerThreads);
	}

	private StreamBridge startProducer() {
		this.producer = TestApplications.start(ProducerApplication.class, redis.springProperties(),
				"spring.cloud.stream.bindings.out-0.destination=" + STREAM,
				"spring.cloud.stream.redis.bindings.out-0.producer.sync=true",
				"spring.cloud.stream.redis.bindings.out-0.producer.send-timeout=1s");
		return this.producer.getBean(StreamBridge.class);
	}

	private Load load(String name, Predicate<String> send, Duration pause) {
		Load load = new Load(name, send, pause);
		this.loads.add(load);
		load.start();
		return load;
	}

	/** What the binding processed so far. */
	private static DeliveryTally tally() {
		return new DeliveryTally().addAll(payloads());
	}

	/** The payloads of every entry of the stream. */
	private List<String> streamPayloads() {
		String[] lines = this.fixture.command("XRANGE", STREAM, "-", "+").split("\n");
		List<String> payloads = new ArrayList<>();
		for (int i = 0; i + 1 < lines.length; i++) {
			if (lines[i].equals("payload")) {
				payloads.add(lines[++i]);
			}
		}
		return payloads;
	}

	/** The live threads that run this binding's consumers, named after destination and group. */
	private static List<Thread> consumerThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter(thread -> thread.isAlive() && thread.getName().startsWith("redis-" + STREAM + "-" + GROUP + "-"))
			.toList();
	}

	private static Duration elapsed(long since) {
		return Duration.ofNanos(System.nanoTime() - since);
	}

	/**
	 * Sends numbered payloads ({@code p-1, p-2...}) from a thread of its own, one after
	 * the other with a pause between them, and counts which were acknowledged.
	 */
	private static final class Load {

		private final Predicate<String> send;

		private final Duration pause;

		private final Thread thread;

		private final AtomicInteger attempts = new AtomicInteger();

		private final AtomicInteger failures = new AtomicInteger();

		/** Attempt number and payload of each acknowledged send. */
		private final Queue<Acknowledged> acknowledged = new ConcurrentLinkedQueue<>();

		private volatile boolean stopped;

		Load(String name, Predicate<String> send, Duration pause) {
			this.send = send;
			this.pause = pause;
			this.thread = new Thread(this::run, "load-" + name);
			this.thread.setDaemon(true);
		}

		void start() {
			this.thread.start();
		}

		private void run() {
			while (!this.stopped) {
				int attempt = this.attempts.incrementAndGet();
				String payload = "p-" + attempt;
				boolean ok;
				try {
					ok = this.send.test(payload);
				}
				catch (RuntimeException ex) {
					ok = false;
				}
				if (ok) {
					this.acknowledged.add(new Acknowledged(attempt, payload));
				}
				else {
					this.failures.incrementAndGet();
				}
				// Pacing of the load, not a wait for some condition.
				LockSupport.parkNanos(this.pause.toNanos());
			}
		}

		/** Stop sending and wait for the send in progress. */
		void stop() {
			this.stopped = true;
			try {
				this.thread.join(10_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		int attempts() {
			return this.attempts.get();
		}

		int failures() {
			return this.failures.get();
		}

		int acknowledgedCount() {
			return this.acknowledged.size();
		}

		List<String> acknowledged() {
			return this.acknowledged.stream().map(Acknowledged::payload).toList();
		}

		/** The acknowledged sends whose attempt started after attempt {@code attempt}. */
		List<String> acknowledgedAfter(int attempt) {
			return this.acknowledged.stream()
				.filter(sent -> sent.attempt() > attempt)
				.map(Acknowledged::payload)
				.toList();
		}

		private record Acknowledged(int attempt, String payload) {
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ProducerApplication {

	}

}
