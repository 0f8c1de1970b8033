package dev.rill.binder.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import dev.rill.binder.redis.test.RedisSentinelGroup;
import dev.rill.binder.redis.test.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cloud.stream.config.BindersHealthIndicatorAutoConfiguration.BindersHealthContributor;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.messaging.Message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The binder on a primary with one replica under Redis Sentinel
 * ({@link RedisSentinelGroup}), configured only with {@code spring.data.redis.sentinel.*}:
 * the primary is killed ({@code SIGKILL}) while a sync producer sends and a consumer group
 * reads; Sentinel promotes the replica and the application goes on with it.
 * <p>
 * Replication is asynchronous: Redis acknowledges a write before any replica has it, so
 * what the old primary acknowledged but the replica had not yet applied is gone after the
 * promotion. The tests count it: acknowledged sends missing from the new primary's stream.
 * With a replica that streams (see {@link RedisSentinelGroup#start()}) that was nothing in
 * every run so far. The second test makes that window wide and certain by cutting the replication
 * link before the kill, and shows that {@code WAIT 1 <timeout>} after a write would have
 * told the producer; the third sets the producer option that does so
 * ({@code min-replica-acks}) and loses nothing.
 * <p>
 * Each test prints a line starting with {@code SENTINEL FAILOVER} with what it measured.
 */
class SentinelFailoverTests {

	private static final String STREAM = "failover";

	/** How often each payload was handed to the {@code sink} function. */
	static final Map<String, AtomicInteger> consumed = new ConcurrentHashMap<>();

	/** When each payload was first handed to the {@code sink} function (nanoTime). */
	static final Map<String, Long> firstConsumedAt = new ConcurrentHashMap<>();

	private RedisSentinelGroup group;

	private ConfigurableApplicationContext application;

	private Producer producer;

	@BeforeEach
	void start() {
		consumed.clear();
		firstConsumedAt.clear();
	}

	@AfterEach
	void close() {
		if (this.producer != null) {
			this.producer.stop();
		}
		if (this.application != null) {
			this.application.close();
		}
		if (this.group != null) {
			this.group.close();
		}
	}

	@Test
	void producerAndConsumerGoOnWithTheReplicaSentinelPromotesWhenThePrimaryIsKilled() {
		this.group = RedisSentinelGroup.builder().build().start();
		startApplication();
		this.producer = new Producer(this.application.getBean(StreamBridge.class), 2);
		awaitProgress(50);
		RedisServerProcess primary = this.group.primary();

		String replicationLag = replicationLag(primary);
		Failover failover = killAndFailOver(primary);
		RedisServerProcess promoted = failover.promoted();
		long killedAt = failover.killedAt();
		long promotedAt = failover.promotedAt();

		Outcome outcome = outcome(promoted);
		assertThat(promoted).isNotSameAs(primary);
		assertThat(this.producer.ackedAfter(promotedAt)).as("sends acknowledged by the new primary")
			.hasSizeGreaterThanOrEqualTo(50);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(consumed.keySet()).as("every entry of the new primary's stream consumed")
				.containsAll(outcome(promoted).inStream()));
		await().until(() -> pending(promoted) == 0);
		await().until(() -> binderHealth() == Status.UP);
		report("primary killed; just before, " + replicationLag, outcome, killedAt, promotedAt);
	}

	@Test
	void sendsAcknowledgedAfterTheReplicaWasCutOffAreLostWhenItIsPromotedAndWaitWouldHaveSaidSo() {
		this.group = RedisSentinelGroup.builder().build().start();
		startApplication();
		this.producer = new Producer(this.application.getBean(StreamBridge.class), 2);
		awaitProgress(50);
		RedisServerProcess primary = this.group.primary();
		assertThat(writeAndWait(primary)).as("replicas that confirmed a write, connected").isEqualTo("1");

		this.group.isolateReplicas();
		long isolatedAt = System.nanoTime();
		assertThat(writeAndWait(primary)).as("replicas that confirmed a write, cut off").isEqualTo("0");
		awaitProgress(50);
		Failover failover = killAndFailOver(primary);
		RedisServerProcess promoted = failover.promoted();
		long killedAt = failover.killedAt();
		long promotedAt = failover.promotedAt();

		Outcome outcome = outcome(promoted);
		Set<String> sentWhileCutOff = this.producer.ackedStartedBetween(isolatedAt, killedAt);
		assertThat(sentWhileCutOff).hasSizeGreaterThanOrEqualTo(50);
		assertThat(outcome.lost()).as("acknowledged sends missing after the failover")
			.containsAll(sentWhileCutOff);
		assertThat(this.producer.ackedAfter(promotedAt)).hasSizeGreaterThanOrEqualTo(50);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(consumed.keySet()).containsAll(outcome(promoted).inStream()));
		report("replica cut off " + TimeUnit.NANOSECONDS.toMillis(killedAt - isolatedAt) + " ms before the kill",
				outcome, killedAt, promotedAt);
	}

	/**
	 * The same cut, with {@code min-replica-acks: 1}: no send is acknowledged that a replica
	 * did not confirm, so none is lost in the failover. Two replicas, so that after the
	 * promotion of one the other confirms the new primary's writes. Sends while the
	 * replicas are cut off fail after {@code replica-ack-timeout}; they were written on the
	 * old primary (and are lost with it), which is why the sender must treat them as not
	 * done and retry: at least once.
	 */
	@Test
	void withMinReplicaAcksNoAcknowledgedSendIsLostWhenACutOffReplicaIsPromoted() {
		this.group = RedisSentinelGroup.builder().replicas(2).build().start();
		startApplication("spring.cloud.stream.redis.bindings.out.producer.min-replica-acks=1",
				"spring.cloud.stream.redis.bindings.out.producer.replica-ack-timeout=200ms");
		this.producer = new Producer(this.application.getBean(StreamBridge.class), 2);
		awaitProgress(50);
		RedisServerProcess primary = this.group.primary();

		this.group.isolateReplicas();
		long isolatedAt = System.nanoTime();
		await().atMost(Duration.ofSeconds(30)).until(() -> this.producer.failed().size() >= 10);
		Failover failover = killAndFailOver(primary);
		RedisServerProcess promoted = failover.promoted();
		long killedAt = failover.killedAt();
		long promotedAt = failover.promotedAt();

		Outcome outcome = outcome(promoted);
		assertThat(this.producer.ackedStartedBetween(isolatedAt, killedAt)).as("sends acknowledged while cut off")
			.isEmpty();
		assertThat(outcome.lost()).as("acknowledged sends missing after the failover").isEmpty();
		assertThat(outcome.failed().values()).as("why sends failed")
			.anySatisfy(reason -> assertThat(reason).contains("confirmed by 0 of 1 replicas within 200ms"));
		assertThat(this.producer.ackedAfter(promotedAt)).hasSizeGreaterThanOrEqualTo(50);
		report("min-replica-acks 1; replicas cut off " + TimeUnit.NANOSECONDS.toMillis(killedAt - isolatedAt)
				+ " ms before the kill", outcome, killedAt, promotedAt);
	}

	/**
	 * Kill the primary, wait for Sentinel to promote a replica and for 50 more sends to be
	 * acknowledged and consumed, then stop the producer.
	 */
	private Failover killAndFailOver(RedisServerProcess primary) {
		primary.kill();
		long killedAt = System.nanoTime();
		RedisServerProcess promoted = this.group.awaitFailover(primary, Duration.ofSeconds(30));
		long promotedAt = System.nanoTime();
		awaitProgress(50);
		this.producer.stop();
		return new Failover(promoted, killedAt, promotedAt);
	}

	/**
	 * @param promoted the new primary
	 * @param killedAt when the old one was killed (nanoTime)
	 * @param promotedAt when the promotion was seen (nanoTime)
	 */
	record Failover(RedisServerProcess promoted, long killedAt, long promotedAt) {
	}

	private void startApplication(String... properties) {
		Map<String, Object> redis = new HashMap<>(this.group.springProperties());
		List<String> all = new ArrayList<>(List.of("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=" + STREAM,
				"spring.cloud.stream.bindings.sink-in-0.group=workers", "spring.cloud.stream.output-bindings=out",
				"spring.cloud.stream.bindings.out.destination=" + STREAM,
				"spring.cloud.stream.redis.bindings.out.producer.sync=true",
				"spring.cloud.stream.redis.bindings.out.producer.send-timeout=2s"));
		all.addAll(List.of(properties));
		this.application = TestApplications.start(SinkApplication.class, redis, all.toArray(String[]::new));
	}

	/** Wait until {@code count} more sends were acknowledged and consumed. */
	private void awaitProgress(int count) {
		long from = System.nanoTime();
		await().atMost(Duration.ofSeconds(60)).until(() -> {
			Set<String> acked = this.producer.ackedStartedBetween(from, Long.MAX_VALUE);
			return acked.stream().filter(consumed::containsKey).count() >= count;
		});
	}

	/**
	 * How far the replica is behind the primary, in bytes of the replication stream:
	 * what a kill now would lose (or more, as the producer goes on writing).
	 */
	private String replicationLag(RedisServerProcess primary) {
		// The replica first: what the primary wrote in between counts too, so this is an
		// upper bound (a millisecond's worth of writes at most).
		long replicaOffset = Long.parseLong(info(this.group.replicas().get(0), "slave_repl_offset"));
		long primaryOffset = Long.parseLong(info(primary, "master_repl_offset"));
		return "the replica was at most " + (primaryOffset - replicaOffset) + " bytes behind";
	}

	private static String info(RedisServerProcess node, String field) {
		return node.command("INFO", "replication")
			.lines()
			.filter(line -> line.startsWith(field + ":"))
			.map(line -> line.substring(field.length() + 1).trim())
			.findFirst()
			.orElseThrow();
	}

	/** XADD and WAIT 1 500 on one connection: how many replicas confirmed the write. */
	private static String writeAndWait(RedisServerProcess primary) {
		List<String> replies = primary.client()
			.pipeline(new String[] { "XADD", "probe", "*", "payload", "probe" }, new String[] { "WAIT", "1", "500" });
		return replies.get(1);
	}

	private Outcome outcome(RedisServerProcess primary) {
		String entries = primary.command("XRANGE", STREAM, "-", "+");
		Map<String, Integer> inStream = new HashMap<>();
		for (String line : entries.split("\n")) {
			if (line.startsWith("m-")) {
				inStream.merge(line, 1, Integer::sum);
			}
		}
		Set<String> acked = this.producer.acked();
		Set<String> lost = new HashSet<>(acked);
		lost.removeAll(inStream.keySet());
		Set<String> failedButWritten = new HashSet<>(this.producer.failed().keySet());
		failedButWritten.retainAll(inStream.keySet());
		return new Outcome(acked, this.producer.failed(), inStream.keySet(), lost, failedButWritten,
				inStream.values().stream().filter(count -> count > 1).count());
	}

	private void report(String scenario, Outcome outcome, long killedAt, long promotedAt) {
		long firstAckAfterKill = this.producer.firstAckAfter(killedAt);
		long firstConsumedAfterPromotion = firstConsumedAt.entrySet()
			.stream()
			.filter(entry -> this.producer.startedAt(entry.getKey()) > promotedAt)
			.mapToLong(Map.Entry::getValue)
			.min()
			.orElse(-1);
		long redelivered = consumed.values().stream().filter(count -> count.get() > 1).count();
		Set<String> lostNeverConsumed = new HashSet<>(outcome.lost());
		lostNeverConsumed.removeAll(consumed.keySet());
		System.out.println("SENTINEL FAILOVER (" + scenario + "): promoted "
				+ millis(promotedAt - killedAt) + " ms after the kill; the first send begun after the kill acknowledged "
				+ millis(firstAckAfterKill - killedAt) + " ms after it; first message sent after the promotion"
				+ " consumed " + millis(firstConsumedAfterPromotion - promotedAt) + " ms after it; "
				+ outcome.acked().size() + " sends acknowledged, " + outcome.failed().size() + " failed ("
				+ outcome.failedButWritten().size() + " of them written all the same); LOST (acknowledged, missing "
				+ "on the new primary): " + outcome.lost().size() + ", of which consumed before the kill: "
				+ (outcome.lost().size() - lostNeverConsumed.size()) + "; duplicate entries in the stream: "
				+ outcome.duplicateEntries() + "; messages consumed more than once: " + redelivered
				+ "; median sync send before the kill: " + this.producer.medianSendMicros(killedAt) + " µs"
				+ "; failures: " + outcome.failed().values().stream().distinct().limit(3).toList());
	}

	private static long millis(long nanos) {
		return TimeUnit.NANOSECONDS.toMillis(nanos);
	}

	private static long pending(RedisServerProcess primary) {
		return Long.parseLong(primary.command("XPENDING", STREAM, "workers").split("\n")[0]);
	}

	private Status binderHealth() {
		BindersHealthContributor binders = this.application.getBean(BindersHealthContributor.class);
		return ((HealthIndicator) binders.getContributor("redis")).health().getStatus();
	}

	/**
	 * @param acked payloads whose sync send returned
	 * @param failed payloads whose sync send threw, with the exception's message
	 * @param inStream the payloads in the new primary's stream
	 * @param lost acknowledged and not in the new primary's stream
	 * @param failedButWritten failed and in the stream all the same
	 * @param duplicateEntries payloads that are in the stream more than once
	 */
	record Outcome(Set<String> acked, Map<String, String> failed, Set<String> inStream, Set<String> lost,
			Set<String> failedButWritten, long duplicateEntries) {
	}

	/**
	 * Threads that each send {@code m-<n>} with a sync producer binding, one after the
	 * other with a 5 ms pause, and record each send's outcome.
	 */
	static final class Producer {

		private final AtomicLong sequence = new AtomicLong();

		private final Map<String, Long> started = new ConcurrentHashMap<>();

		private final Map<String, Long> acked = new ConcurrentHashMap<>();

		private final Map<String, String> failed = new ConcurrentHashMap<>();

		private final List<Thread> threads = new ArrayList<>();

		private volatile boolean running = true;

		Producer(StreamBridge bridge, int threadCount) {
			for (int i = 0; i < threadCount; i++) {
				Thread thread = new Thread(() -> {
					while (this.running) {
						String payload = "m-" + this.sequence.incrementAndGet();
						this.started.put(payload, System.nanoTime());
						try {
							bridge.send("out", payload);
							this.acked.put(payload, System.nanoTime());
						}
						catch (RuntimeException ex) {
							this.failed.put(payload, String.valueOf(ex.getMessage()).replaceAll(", failedMessage=.*", ""));
						}
						try {
							Thread.sleep(5);
						}
						catch (InterruptedException ex) {
							return;
						}
					}
				}, "failover-producer-" + i);
				thread.start();
				this.threads.add(thread);
			}
		}

		void stop() {
			this.running = false;
			for (Thread thread : this.threads) {
				try {
					thread.join(10_000);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}

		Set<String> acked() {
			return Set.copyOf(this.acked.keySet());
		}

		Map<String, String> failed() {
			return Map.copyOf(this.failed);
		}

		long startedAt(String payload) {
			return this.started.getOrDefault(payload, Long.MIN_VALUE);
		}

		Set<String> ackedAfter(long nanoTime) {
			return this.acked.entrySet().stream().filter(entry -> entry.getValue() > nanoTime)
				.map(Map.Entry::getKey).collect(Collectors.toSet());
		}

		Set<String> ackedStartedBetween(long from, long to) {
			return this.acked.keySet().stream().filter(payload -> {
				long start = startedAt(payload);
				return start > from && start < to;
			}).collect(Collectors.toSet());
		}

		/** The median time from start to acknowledgement of the sends acknowledged before {@code nanoTime}. */
		long medianSendMicros(long nanoTime) {
			long[] durations = this.acked.entrySet().stream().filter(entry -> entry.getValue() < nanoTime)
				.mapToLong(entry -> entry.getValue() - startedAt(entry.getKey())).sorted().toArray();
			return (durations.length == 0) ? -1 : TimeUnit.NANOSECONDS.toMicros(durations[durations.length / 2]);
		}

		/** When the first send that started after {@code nanoTime} was acknowledged. */
		long firstAckAfter(long nanoTime) {
			return this.acked.entrySet().stream().filter(entry -> startedAt(entry.getKey()) > nanoTime)
				.mapToLong(Map.Entry::getValue).min().orElse(-1);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class SinkApplication {

		@Bean
		Consumer<Message<String>> sink() {
			return message -> {
				firstConsumedAt.putIfAbsent(message.getPayload(), System.nanoTime());
				consumed.computeIfAbsent(message.getPayload(), payload -> new AtomicInteger()).incrementAndGet();
			};
		}

	}

}
