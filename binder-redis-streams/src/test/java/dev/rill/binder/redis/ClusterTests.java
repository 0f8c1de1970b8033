package dev.rill.binder.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.rill.binder.redis.test.RedisClusterExtension;
import dev.rill.binder.redis.test.RedisClusterProcess;
import dev.rill.binder.redis.test.RedisClusterProcess.SlotMigration;
import dev.rill.binder.redis.test.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cloud.stream.config.BindersHealthIndicatorAutoConfiguration.BindersHealthContributor;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;
import static org.awaitility.Awaitility.await;

/**
 * The binder on a Redis Cluster of three primaries ({@link RedisClusterExtension}),
 * configured only with {@code spring.data.redis.cluster.nodes}: partitions spread over the
 * shards and are read concurrently, a dead letter crosses shards, the claimer's and the
 * group admin's Lua scripts run where their key lives, health and gauges see every shard,
 * and a slot that moves to another primary under a running producer and consumer loses
 * nothing.
 * <p>
 * Keys are checked against the cluster (which shard owns them) rather than trusted: the
 * fixture splits the slots as redis-cli does, so the names below land where the tests
 * need them, and an assertion says so if that ever changes. Raw commands go to the key's
 * owner, never through the binder's client.
 */
class ClusterTests {

	@RegisterExtension
	static final RedisClusterExtension cluster = RedisClusterExtension.create();

	/** Every message handed to the {@code sink} function, in the order handled. */
	static final List<Delivery> received = new CopyOnWriteArrayList<>();

	/** What the {@code sink} function does after recording a message. */
	static volatile Consumer<Message<String>> behaviour = message -> {
	};

	private final List<ConfigurableApplicationContext> applications = new ArrayList<>();

	private final List<Runnable> beforeClose = new ArrayList<>();

	@BeforeEach
	void reset() {
		cluster.flushAll();
		received.clear();
		behaviour = message -> {
		};
	}

	@AfterEach
	void close() {
		this.beforeClose.forEach(Runnable::run);
		this.applications.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void partitionsLandOnSeveralPrimariesAndAreReadConcurrentlyKeepingEachKeysOrder() {
		List<String> partitions = IntStream.range(0, 6).mapToObj(partition -> "parts:" + partition).toList();
		assertThat(partitions.stream().map(cluster::slotOwner).distinct()).as("primaries holding a partition")
			.hasSizeGreaterThanOrEqualTo(2);
		// The first message of each partition waits in its handler until all six are in
		// theirs: only consumers that run at the same time get past this.
		CountDownLatch allPartitionsInHandlers = new CountDownLatch(6);
		Set<String> seen = ConcurrentHashMap.newKeySet();
		Set<String> overlapped = ConcurrentHashMap.newKeySet();
		behaviour = message -> {
			String stream = stream(message);
			if (seen.add(stream)) {
				allPartitionsInHandlers.countDown();
				if (awaitLatch(allPartitionsInHandlers, Duration.ofSeconds(15))) {
					overlapped.add(stream);
				}
			}
		};
		ConfigurableApplicationContext application = start("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=parts",
				"spring.cloud.stream.bindings.sink-in-0.group=readers",
				"spring.cloud.stream.bindings.sink-in-0.consumer.partitioned=true",
				"spring.cloud.stream.bindings.sink-in-0.consumer.instance-count=6",
				"spring.cloud.stream.bindings.sink-in-0.consumer.instance-index-list=0,1,2,3,4,5",
				"spring.cloud.stream.output-bindings=parts-out",
				"spring.cloud.stream.bindings.parts-out.destination=parts",
				"spring.cloud.stream.bindings.parts-out.producer.partition-key-expression=headers['key']",
				"spring.cloud.stream.bindings.parts-out.producer.partition-count=6",
				"spring.cloud.stream.redis.bindings.parts-out.producer.sync=true");
		StreamBridge bridge = application.getBean(StreamBridge.class);

		// Twelve keys: their hash codes are consecutive, so they cover all six partitions.
		for (int i = 0; i < 60; i++) {
			String key = "k" + (i % 12);
			bridge.send("parts-out", MessageBuilder.withPayload(key + "-" + i).setHeader("key", key).build());
		}

		await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= 60);
		assertThat(partitions).allSatisfy(partition -> assertThat(cluster.command(partition, "XLEN", partition))
			.as("entries of %s on its primary", partition).isNotEqualTo("0"));
		assertThat(partitions.stream().mapToLong(partition -> Long.parseLong(cluster.command(partition, "XLEN",
				partition))).sum()).isEqualTo(60);
		assertThat(payloads()).as("each message handled once").hasSize(60).doesNotHaveDuplicates();
		assertThat(overlapped).as("partitions whose first handler overlapped with those of all the others")
			.containsAll(partitions);
		await().untilAsserted(() -> assertThat(partitions)
			.allSatisfy(partition -> assertThat(pendingCount(partition, "readers")).as(partition).isZero()));
		Map<String, List<Integer>> orderPerKey = new LinkedHashMap<>();
		for (String payload : payloads()) {
			String[] keyAndIndex = payload.split("-");
			orderPerKey.computeIfAbsent(keyAndIndex[0], key -> new ArrayList<>()).add(Integer.parseInt(keyAndIndex[1]));
		}
		Map<String, Set<String>> consumersPerPartition = received.stream()
			.collect(Collectors.groupingBy(Delivery::stream,
					Collectors.mapping(Delivery::consumer, Collectors.toSet())));
		assertSoftly(softly -> {
			softly.assertThat(orderPerKey).hasSize(12)
				.allSatisfy((key, order) -> assertThat(order).as("order of key %s", key).isSorted());
			softly.assertThat(consumersPerPartition).as("consumers that handled each partition's messages")
				.hasSize(6)
				.allSatisfy((partition, consumers) -> assertThat(consumers).as(partition).hasSize(1));
			softly.assertThat(partitions).as("one consumer of the group per partition key")
				.allSatisfy(partition -> assertThat(consumerNames(partition, "readers")).as(partition).hasSize(1));
		});
	}

	@Test
	void aPoisonMessageIsDeadLetteredToAStreamOnAnotherPrimaryAndItsSourceEntryAcknowledged() {
		assertThat(cluster.slotOwner("orders.workers.dlq")).as("primary of the dead-letter stream")
			.isNotSameAs(cluster.slotOwner("orders"));
		ConfigurableApplicationContext application = start("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=orders",
				"spring.cloud.stream.bindings.sink-in-0.group=workers",
				"spring.cloud.stream.bindings.sink-in-0.consumer.max-attempts=2",
				"spring.cloud.stream.bindings.sink-in-0.consumer.back-off-initial-interval=10",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.enable-dlq=true");
		String poisonId = xadd("orders", "poison");
		xadd("orders", "fine");

		await().until(() -> payloads().contains("fine") && streamLength("orders.workers.dlq") == 1);

		assertThat(TestApplications.firstEntryFields(application, "orders.workers.dlq")).containsEntry("payload", "poison")
			.containsEntry("x-original-stream", "orders")
			.containsEntry("x-original-entry-id", poisonId)
			.containsEntry("x-original-group", "workers")
			.containsEntry("x-exception-message", "cannot handle poison");
		await().untilAsserted(() -> assertThat(pendingCount("orders", "workers")).isZero());
		assertThat(payloads()).containsExactly("poison", "poison", "fine");
	}

	@Test
	void entriesADeadConsumerLeftPendingAreClaimedByTheClaimersScriptAndTheDeadConsumerRemovedByTheAdminsScript() {
		RedisServerProcess owner = cluster.slotOwner("claims");
		owner.command("XGROUP", "CREATE", "claims", "workers", "0", "MKSTREAM");
		xadd("claims", "one");
		xadd("claims", "two");
		xadd("claims", "three");
		assertThat(owner.command("XREADGROUP", "GROUP", "workers", "dead", "COUNT", "3", "STREAMS", "claims", ">"))
			.as("the dead consumer's read").contains("one", "two", "three");

		start("spring.cloud.function.definition=sink", "spring.cloud.stream.bindings.sink-in-0.destination=claims",
				"spring.cloud.stream.bindings.sink-in-0.group=workers",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.claim-idle-time=1s",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.claim-interval=100ms",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.consumer-expiry=1500ms");

		await().until(() -> received.size() >= 3);
		assertThat(payloads()).containsExactlyInAnyOrder("one", "two", "three");
		assertThat(received).extracting(Delivery::deliveryCount).as("claimed, then read: the second delivery")
			.containsOnly(2L);
		await().untilAsserted(() -> assertThat(pendingCount("claims", "workers")).isZero());
		await().untilAsserted(() -> assertThat(consumerNames("claims", "workers")).doesNotContain("dead")
			.isNotEmpty());
	}

	@Test
	void aSlowHandlersEntryIsKeptFreshByTheTouchScriptSoNoClaimerTakesIt() {
		CountDownLatch release = new CountDownLatch(1);
		this.beforeClose.add(release::countDown);
		behaviour = message -> awaitLatch(release, Duration.ofSeconds(30));
		start("spring.cloud.function.definition=sink", "spring.cloud.stream.bindings.sink-in-0.destination=claims",
				"spring.cloud.stream.bindings.sink-in-0.group=workers",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.claim-idle-time=900ms",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.claim-interval=100ms");
		xadd("claims", "slow");
		await().until(() -> received.size() == 1);

		// Over twice the claim idle time: the binding's own claimer would take the entry
		// (and hand it over again) if the touch script, every 300 ms, did not keep its idle
		// time short.
		await().during(Duration.ofMillis(2000)).atMost(Duration.ofSeconds(4)).untilAsserted(() -> {
			assertThat(received).hasSize(1);
			assertThat(idleMillisOfOnlyPending("claims", "workers")).isLessThan(900);
		});

		release.countDown();
		await().untilAsserted(() -> assertThat(pendingCount("claims", "workers")).isZero());
		assertThat(received).hasSize(1);
	}

	@Test
	void healthIsUpWithEveryShardsConsumerReadingAndTheGaugesSeeLagAndPendingOnEveryShard() {
		CountDownLatch release = new CountDownLatch(1);
		this.beforeClose.add(release::countDown);
		behaviour = message -> {
			if (message.getPayload().equals("held")) {
				awaitLatch(release, Duration.ofSeconds(30));
			}
		};
		// Three destinations (three bindings of one function), one per primary.
		List<String> destinations = List.of("orders", "payments", "invoices");
		assertThat(destinations.stream().map(cluster::slotOwner).distinct()).as("primaries of the destinations")
			.hasSize(3);
		ConfigurableApplicationContext application = start("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=" + String.join(",", destinations),
				"spring.cloud.stream.bindings.sink-in-0.group=watched",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.read-count=1",
				"spring.cloud.stream.redis.binder.metrics-refresh-interval=100ms");

		Health health = binderHealth(application);
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("redis", "up");
		for (String destination : destinations) {
			assertThat(consumers(health, destination + ".watched")).singleElement()
				.satisfies(consumer -> assertThat(consumer).containsEntry("stream", destination)
					.containsEntry("status", "reading"));
		}

		// On each primary: one entry held in its handler (pending), two behind it (lag).
		for (String destination : destinations) {
			xadd(destination, "held");
			xadd(destination, "next");
			xadd(destination, "last");
		}
		MeterRegistry meters = application.getBean(MeterRegistry.class);
		await().untilAsserted(() -> assertThat(destinations).allSatisfy(destination -> {
			assertThat(gauge(meters, "pending", destination, "watched")).as("pending of %s", destination).isOne();
			assertThat(gauge(meters, "lag", destination, "watched")).as("lag of %s", destination).isEqualTo(2);
		}));
		assertThat(binderHealth(application).getStatus()).isEqualTo(Status.UP);

		release.countDown();
		await().untilAsserted(() -> assertThat(destinations).allSatisfy(destination -> {
			assertThat(gauge(meters, "pending", destination, "watched")).as("pending of %s", destination).isZero();
			assertThat(gauge(meters, "lag", destination, "watched")).as("lag of %s", destination).isZero();
		}));
		assertThat(received).hasSize(9);
		assertThat(binderHealth(application).getStatus()).isEqualTo(Status.UP);
	}

	@Test
	void aSlotMovedToAnotherPrimaryUnderARunningProducerAndConsumerLosesNothingAndSendsKeepWorking(
			RedisClusterProcess process) {
		int slot = cluster.slot("moving");
		RedisServerProcess source = cluster.slotOwner("moving");
		RedisServerProcess target = process.primaries().stream().filter(node -> node != source).findFirst()
			.orElseThrow();
		ConfigurableApplicationContext application = start("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=moving",
				"spring.cloud.stream.bindings.sink-in-0.group=movers",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.block-time=2s",
				"spring.cloud.stream.output-bindings=moving-out",
				"spring.cloud.stream.bindings.moving-out.destination=moving",
				"spring.cloud.stream.redis.bindings.moving-out.producer.sync=true");
		Producer producer = new Producer(application.getBean(StreamBridge.class), "moving-out");
		this.beforeClose.add(producer::stop);
		producer.start();
		List<String> phases = new ArrayList<>();
		phases.add(awaitProgress(producer, "before the migration"));

		SlotMigration migration = process.beginMigration(slot, target);
		phases.add(awaitProgress(producer, "slot migrating, stream still on the old primary"));
		migration.moveKeys();
		phases.add(awaitProgress(producer, "stream moved, slot still on the old primary (ASK)"));
		migration.finish();
		phases.add(awaitProgress(producer, "slot on the new primary (MOVED)"));
		producer.stop();

		assertThat(migration.movedKeys()).isEqualTo(1);
		assertThat(cluster.slotOwner("moving")).isSameAs(target);
		assertThat(producer.failures).as("sends that failed").isEmpty();
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(payloads())
			.as("handled of %d sent", producer.sent.size()).containsAll(producer.sent));
		assertThat(target.command("XLEN", "moving")).isEqualTo(Integer.toString(producer.sent.size()));
		await().untilAsserted(() -> assertThat(pendingCount("moving", "movers")).isZero());
		System.out.printf("Slot migration under load: %d sent, %d handled, %d duplicates, 0 failed sends; "
				+ "10 more sent and handled in: %s; the old primary redirected %s%n", producer.sent.size(),
				received.size(), received.size() - payloads().stream().distinct().count(), String.join(", ", phases),
				redirections(source));
	}

	/**
	 * Wait until 10 more messages were sent and handled.
	 * @return the phase and how long that took
	 */
	private static String awaitProgress(Producer producer, String phase) {
		long start = System.nanoTime();
		int sentBefore = producer.sent.size();
		int receivedBefore = received.size();
		await().alias(phase).atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			assertThat(producer.failures).as("sends that failed, " + phase).isEmpty();
			assertThat(producer.sent.size()).as("sent, " + phase).isGreaterThanOrEqualTo(sentBefore + 10);
			assertThat(received.size()).as("handled, " + phase).isGreaterThanOrEqualTo(receivedBefore + 10);
		});
		return phase + " " + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms";
	}

	/** The {@code -ASK}, {@code -MOVED} (and {@code -UNBLOCKED}) replies a node sent, from INFO errorstats. */
	private static String redirections(RedisServerProcess node) {
		return node.command("INFO", "errorstats")
			.lines()
			.filter(line -> line.matches("errorstat_(ASK|MOVED|UNBLOCKED):.*"))
			.map(line -> line.substring("errorstat_".length()).replace(":count=", " "))
			.collect(Collectors.joining(", "));
	}

	// ------------------------------------------------------------------ the application

	private ConfigurableApplicationContext start(String... properties) {
		ConfigurableApplicationContext application = TestApplications.start(ClusterApplication.class,
				cluster.springProperties(), properties);
		this.applications.add(application);
		return application;
	}

	private static Health binderHealth(ConfigurableApplicationContext application) {
		BindersHealthContributor binders = application.getBean(BindersHealthContributor.class);
		return ((HealthIndicator) binders.getContributor("redis")).health();
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> consumers(Health health, String binding) {
		Map<String, Object> bindings = (Map<String, Object>) health.getDetails().get("bindings");
		return (List<Map<String, Object>>) ((Map<String, Object>) bindings.get(binding)).get("consumers");
	}

	private static double gauge(MeterRegistry meters, String name, String destination, String group) {
		var gauge = Search.in(meters)
			.name("redis.streams.consumer." + name)
			.tag("destination", destination)
			.tag("group", group)
			.gauge();
		return (gauge != null) ? gauge.value() : -1;
	}

	// ------------------------------------------------------------------ raw commands on the key's owner

	private static String xadd(String key, String payload) {
		return cluster.command(key, "XADD", key, "*", "payload", payload, "contentType", "text/plain");
	}

	private static long streamLength(String key) {
		return "stream".equals(cluster.command(key, "TYPE", key)) ? Long.parseLong(cluster.command(key, "XLEN", key))
				: 0;
	}

	private static long pendingCount(String key, String group) {
		return Long.parseLong(cluster.command(key, "XPENDING", key, group).split("\n")[0]);
	}

	/** The idle time of the group's only pending entry (extended XPENDING: id, consumer, idle, deliveries). */
	private static long idleMillisOfOnlyPending(String key, String group) {
		String[] entry = cluster.command(key, "XPENDING", key, group, "-", "+", "10").split("\n");
		assertThat(entry).as("one pending entry").hasSize(4);
		return Long.parseLong(entry[2]);
	}

	private static List<String> consumerNames(String key, String group) {
		List<String> fields = Arrays.asList(cluster.command(key, "XINFO", "CONSUMERS", key, group).split("\n"));
		List<String> names = new ArrayList<>();
		for (int i = 0; i + 1 < fields.size(); i++) {
			if (fields.get(i).equals("name")) {
				names.add(fields.get(i + 1));
			}
		}
		return names;
	}

	// ------------------------------------------------------------------ what the sink saw

	private static List<String> payloads() {
		return received.stream().map(Delivery::payload).toList();
	}

	private static String stream(Message<?> message) {
		return (String) message.getHeaders().get(RedisStreamsHeaders.STREAM);
	}

	/** Wait for a latch as a well-behaved handler waits; {@code false} when the time ran out. */
	private static boolean awaitLatch(CountDownLatch latch, Duration timeout) {
		try {
			return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while handling", ex);
		}
	}

	/** One message the {@code sink} function was handed. */
	record Delivery(String payload, String stream, String consumer, long deliveryCount) {

		static Delivery of(Message<String> message) {
			Object count = message.getHeaders().get(RedisStreamsHeaders.DELIVERY_COUNT);
			return new Delivery(message.getPayload(), ClusterTests.stream(message),
					(String) message.getHeaders().get(RedisStreamsHeaders.CONSUMER), (count != null) ? (Long) count : -1);
		}

	}

	/**
	 * Sends {@code m0}, {@code m1}, ... every 10 ms from a thread of its own, recording the
	 * payloads Redis confirmed and the failures.
	 */
	static final class Producer {

		final List<String> sent = new CopyOnWriteArrayList<>();

		final List<Throwable> failures = new CopyOnWriteArrayList<>();

		private final StreamBridge bridge;

		private final String binding;

		private final AtomicInteger next = new AtomicInteger();

		private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

		Producer(StreamBridge bridge, String binding) {
			this.bridge = bridge;
			this.binding = binding;
		}

		void start() {
			this.scheduler.scheduleWithFixedDelay(this::sendNext, 0, 10, TimeUnit.MILLISECONDS);
		}

		private void sendNext() {
			String payload = "m" + this.next.getAndIncrement();
			try {
				this.bridge.send(this.binding, payload);
				this.sent.add(payload);
			}
			catch (RuntimeException ex) {
				this.failures.add(ex);
			}
		}

		void stop() {
			this.scheduler.shutdown();
			try {
				this.scheduler.awaitTermination(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ClusterApplication {

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

		@Bean
		Consumer<Message<String>> sink() {
			return message -> {
				received.add(Delivery.of(message));
				if (message.getPayload().equals("poison")) {
					throw new IllegalStateException("cannot handle poison");
				}
				behaviour.accept(message);
			};
		}

	}

}
