package dev.rill.binder.redis.test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private Redis primary with replicas, watched by Redis Sentinels that fail over to a
 * replica when the primary dies: each a {@link RedisServerProcess} on a free loopback port
 * with a data directory of its own, the Sentinels run as {@code redis-server sentinel.conf
 * --sentinel} (the same binary).
 * <pre>
 * try (RedisSentinelGroup group = RedisSentinelGroup.builder().build().start()) {
 *     RedisServerProcess primary = group.primary();
 *     primary.kill();
 *     RedisServerProcess promoted = group.awaitFailover(primary, Duration.ofSeconds(30));
 * }
 * </pre>
 * <p>
 * <b>Timing.</b> The Sentinels consider the primary down after
 * {@link Builder#downAfter(Duration) down-after-milliseconds} (1 s by default, Redis'
 * default is 30 s) and give up a failover after {@link Builder#failoverTimeout(Duration)
 * failover-timeout} (5 s by default, Redis': 3 min), so a failover takes a few seconds.
 * The quorum is a majority of the Sentinels. Data nodes sync replicas at once
 * ({@code repl-diskless-sync-delay 0}) and keep nothing on disk, as the other fixtures.
 * <p>
 * {@link #start()} returns once every replica is in sync and receives the primary's
 * writes, and every Sentinel knows every replica and every other Sentinel, so a failover
 * can start as soon as the primary is killed. Spring is pointed at the group with {@link #springProperties()}
 * ({@code spring.data.redis.sentinel.*}).
 */
public final class RedisSentinelGroup implements AutoCloseable {

	/** The name under which the Sentinels monitor the primary. */
	public static final String DEFAULT_MASTER_NAME = "rill";

	private static final Logger logger = LoggerFactory.getLogger(RedisSentinelGroup.class);

	private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

	private final String masterName;

	private final List<RedisServerProcess> dataNodes;

	private final List<RedisServerProcess> sentinels;

	private boolean started;

	private RedisSentinelGroup(Builder builder) {
		this.masterName = builder.masterName;
		List<RedisServerProcess> nodes = new ArrayList<>();
		List<RedisServerProcess> watchers = new ArrayList<>();
		try {
			RedisServerProcess primary = dataNode(builder).build();
			nodes.add(primary);
			for (int i = 0; i < builder.replicas; i++) {
				nodes.add(dataNode(builder).setting("replicaof", primary.host() + " " + primary.port()).build());
			}
			int quorum = builder.sentinels / 2 + 1;
			String config = "sentinel monitor " + this.masterName + " " + primary.host() + " " + primary.port() + " "
					+ quorum + "\n" + "sentinel down-after-milliseconds " + this.masterName + " "
					+ builder.downAfter.toMillis() + "\n" + "sentinel failover-timeout " + this.masterName + " "
					+ builder.failoverTimeout.toMillis() + "\n" + "sentinel parallel-syncs " + this.masterName
					+ " 1\n";
			for (int i = 0; i < builder.sentinels; i++) {
				RedisServerProcess.Builder sentinel = RedisServerProcess.builder().sentinel(config);
				if (builder.binary != null) {
					sentinel.binary(builder.binary);
				}
				watchers.add(sentinel.build());
			}
		}
		catch (RuntimeException ex) {
			nodes.forEach(RedisServerProcess::close);
			watchers.forEach(RedisServerProcess::close);
			throw ex;
		}
		this.dataNodes = List.copyOf(nodes);
		this.sentinels = List.copyOf(watchers);
	}

	private static RedisServerProcess.Builder dataNode(Builder builder) {
		RedisServerProcess.Builder node = RedisServerProcess.builder().setting("repl-diskless-sync-delay", "0");
		if (builder.binary != null) {
			node.binary(builder.binary);
		}
		return node;
	}

	/**
	 * @return a builder of a primary with 1 replica and 1 Sentinel
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Start the primary, the replicas and the Sentinels, and wait until the replicas are in
	 * sync and every Sentinel knows them and the other Sentinels. Does nothing when started
	 * already.
	 * @return this group
	 */
	public synchronized RedisSentinelGroup start() {
		if (this.started) {
			return this;
		}
		long begin = System.nanoTime();
		try {
			this.dataNodes.forEach(RedisServerProcess::start);
			awaitCondition("replicas in sync", () -> {
				List<String> online = replicasOf(this.dataNodes.get(0));
				return online.size() == this.dataNodes.size() - 1 && online.stream().allMatch(line -> line
					.contains("state=online")) && this.dataNodes.stream().skip(1).allMatch(RedisSentinelGroup::inSync);
			});
			awaitReplicationStream();
			this.sentinels.forEach(RedisServerProcess::start);
			awaitCondition("Sentinels that know every replica and each other", () -> this.sentinels.stream()
				.allMatch(sentinel -> {
					Map<String, String> master = sentinelMaster(sentinel);
					return String.valueOf(this.dataNodes.size() - 1).equals(master.get("num-slaves"))
							&& String.valueOf(this.sentinels.size() - 1).equals(master.get("num-other-sentinels"));
				}));
		}
		catch (RuntimeException ex) {
			close();
			throw ex;
		}
		this.started = true;
		logger.info("Started a Sentinel group '{}' in {} ms: primary {}, replicas {}, Sentinels {}", this.masterName,
				Duration.ofNanos(System.nanoTime() - begin).toMillis(), this.dataNodes.get(0).port(),
				ports(this.dataNodes.subList(1, this.dataNodes.size())), ports(this.sentinels));
		return this;
	}

	/**
	 * After a full sync a primary sends its replicas nothing more until each has
	 * acknowledged the sync ({@code REPLCONF ACK}; the log says "Waiting for REPLCONF ACK
	 * from slave to enable streaming"): what it acknowledges to clients meanwhile exists only
	 * on the primary. Observed twice: a primary killed within 0.9 s of the group's start
	 * took every write since with it (the replica was that far behind). So wait until a
	 * write reaches every replica:
	 * {@code WAIT} after a {@code PUBLISH} (which is replicated and touches no key).
	 */
	private void awaitReplicationStream() {
		String replicas = Integer.toString(this.dataNodes.size() - 1);
		List<String> replies = this.dataNodes.get(0)
			.client(READY_TIMEOUT)
			.pipeline(new String[] { "PUBLISH", "rill-fixture", "ready" },
					new String[] { "WAIT", replicas, Long.toString(READY_TIMEOUT.toMillis() - 1000) });
		expect(replies.get(1), replicas);
	}

	/**
	 * @return the name the Sentinels monitor the primary by
	 * ({@code spring.data.redis.sentinel.master})
	 */
	public String masterName() {
		return this.masterName;
	}

	/**
	 * @return the data nodes (primary and replicas), the first one the initial primary
	 */
	public List<RedisServerProcess> dataNodes() {
		return this.dataNodes;
	}

	/**
	 * @return the Sentinels
	 */
	public List<RedisServerProcess> sentinels() {
		return this.sentinels;
	}

	/**
	 * @return the current primary, as the first Sentinel that answers reports it
	 */
	public RedisServerProcess primary() {
		return reportedPrimary().orElseThrow(() -> new IllegalStateException("No Sentinel names a primary"));
	}

	/**
	 * @return the running data nodes that are not the current primary
	 */
	public List<RedisServerProcess> replicas() {
		RedisServerProcess primary = primary();
		return this.dataNodes.stream().filter(node -> node != primary && node.isRunning()).toList();
	}

	/**
	 * Wait until the Sentinels have promoted another data node in place of
	 * {@code formerPrimary} and that node reports the primary's role.
	 * @param formerPrimary the primary that failed
	 * @param timeout how long to wait
	 * @return the new primary
	 */
	public RedisServerProcess awaitFailover(RedisServerProcess formerPrimary, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			Optional<RedisServerProcess> reported = reportedPrimary();
			if (reported.isPresent() && reported.get() != formerPrimary && isPrimary(reported.get())) {
				return reported.get();
			}
			pause(Duration.ofMillis(50));
		}
		throw new IllegalStateException("No failover away from " + formerPrimary.uri() + " within "
				+ timeout.toMillis() + " ms:\n" + describe());
	}

	/**
	 * Cut the replication link, as a network partition between primary and replicas
	 * would: the primary refuses {@code PSYNC} and {@code SYNC} from now on (an ACL rule on
	 * its {@code default} user, as which the replicas connect) and drops its replicas, which
	 * keep trying to reconnect. Writes the primary acknowledges from now on exist only there.
	 */
	public void isolateReplicas() {
		RedisServerProcess primary = primary();
		expect(primary.command("ACL", "SETUSER", "default", "-psync", "-sync"), "OK");
		primary.command("CLIENT", "KILL", "TYPE", "replica");
		awaitCondition("replicas disconnected", () -> replicasOf(primary).isEmpty()
				&& replicas().stream().noneMatch(RedisSentinelGroup::inSync));
		logger.info("Isolated the replicas of {}", primary.uri());
	}

	/**
	 * @return {@code spring.data.redis.sentinel.master} and
	 * {@code spring.data.redis.sentinel.nodes} pointing Spring Data Redis at the group
	 */
	public Map<String, Object> springProperties() {
		return Map.of("spring.data.redis.sentinel.master", this.masterName, "spring.data.redis.sentinel.nodes",
				this.sentinels.stream().map(node -> node.host() + ":" + node.port()).collect(Collectors.joining(",")));
	}

	/**
	 * Stop every process and delete its data directory.
	 */
	@Override
	public synchronized void close() {
		RuntimeException failure = null;
		List<RedisServerProcess> all = new ArrayList<>(this.sentinels);
		all.addAll(this.dataNodes);
		for (RedisServerProcess process : all) {
			try {
				process.close();
			}
			catch (RuntimeException ex) {
				failure = ex;
			}
		}
		this.started = false;
		if (failure != null) {
			throw failure;
		}
	}

	/**
	 * @return each data node's replication role and each Sentinel's view of the primary,
	 * for failure messages
	 */
	public String describe() {
		StringBuilder text = new StringBuilder();
		for (RedisServerProcess node : this.dataNodes) {
			text.append("data node ").append(node.port()).append(": ");
			text.append(node.isRunning() ? attempt(() -> node.command("ROLE").replace('\n', ' ')) : "not running");
			text.append('\n');
		}
		for (RedisServerProcess sentinel : this.sentinels) {
			text.append("Sentinel ").append(sentinel.port()).append(": ");
			text.append(attempt(() -> sentinelMaster(sentinel).toString())).append('\n');
		}
		return text.toString();
	}

	@Override
	public String toString() {
		return "Redis Sentinel group '" + this.masterName + "' " + describe();
	}

	// ------------------------------------------------------------------ helpers

	private Optional<RedisServerProcess> reportedPrimary() {
		for (RedisServerProcess sentinel : this.sentinels) {
			if (!sentinel.isRunning()) {
				continue;
			}
			try {
				String[] address = sentinel.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", this.masterName)
					.split("\n");
				int port = Integer.parseInt(address[1]);
				return this.dataNodes.stream().filter(node -> node.port() == port).findFirst();
			}
			catch (RuntimeException ex) {
				// Try the next Sentinel.
			}
		}
		return Optional.empty();
	}

	private static boolean isPrimary(RedisServerProcess node) {
		try {
			return node.isRunning() && node.command("ROLE").startsWith("master\n");
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/** The data nodes that the primary reports as connected replicas ({@code INFO replication}). */
	private List<String> replicasOf(RedisServerProcess primary) {
		return info(primary, "replication").entrySet()
			.stream()
			.filter(field -> field.getKey().matches("slave\\d+"))
			.map(Map.Entry::getValue)
			.toList();
	}

	private static boolean inSync(RedisServerProcess replica) {
		return "up".equals(info(replica, "replication").get("master_link_status"));
	}

	private static Map<String, String> info(RedisServerProcess node, String section) {
		Map<String, String> fields = new HashMap<>();
		String info = node.command("INFO", section);
		if (info != null) {
			info.lines().map(line -> line.split(":", 2)).filter(pair -> pair.length == 2)
				.forEach(pair -> fields.put(pair[0], pair[1].trim()));
		}
		return fields;
	}

	private Map<String, String> sentinelMaster(RedisServerProcess sentinel) {
		String[] fields = sentinel.command("SENTINEL", "MASTER", this.masterName).split("\n");
		Map<String, String> master = new HashMap<>();
		for (int i = 0; i + 1 < fields.length; i += 2) {
			master.put(fields[i], fields[i + 1]);
		}
		return master;
	}

	private static String ports(List<RedisServerProcess> processes) {
		return processes.stream().map(process -> String.valueOf(process.port())).collect(Collectors.joining(","));
	}

	private void awaitCondition(String what, BooleanSupplier condition) {
		long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
		while (true) {
			try {
				if (condition.getAsBoolean()) {
					return;
				}
			}
			catch (RuntimeException ex) {
				// Not answering yet.
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("No " + what + " within " + READY_TIMEOUT.toSeconds() + " s:\n"
						+ describe());
			}
			pause(Duration.ofMillis(50));
		}
	}

	private static String attempt(Supplier<String> call) {
		try {
			return call.get();
		}
		catch (RuntimeException ex) {
			return "(unreachable: " + ex.getMessage() + ")";
		}
	}

	private static void expect(String reply, String expected) {
		if (!expected.equals(reply)) {
			throw new IllegalStateException("Expected " + expected + ", got " + reply);
		}
	}

	private static void pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for the Sentinel group", ex);
		}
	}

	/** Builds a {@link RedisSentinelGroup}; every option has a default. */
	public static final class Builder {

		private String masterName = DEFAULT_MASTER_NAME;

		private int replicas = 1;

		private int sentinels = 1;

		private Duration downAfter = Duration.ofSeconds(1);

		private Duration failoverTimeout = Duration.ofSeconds(5);

		private Path binary;

		private Builder() {
		}

		/**
		 * @param name the name the Sentinels monitor the primary by ({@value #DEFAULT_MASTER_NAME}
		 * by default)
		 * @return this builder
		 */
		public Builder masterName(String name) {
			this.masterName = Objects.requireNonNull(name, "name");
			return this;
		}

		/**
		 * @param count how many replicas the primary has (1 by default)
		 * @return this builder
		 */
		public Builder replicas(int count) {
			if (count < 1) {
				throw new IllegalArgumentException("A failover needs a replica");
			}
			this.replicas = count;
			return this;
		}

		/**
		 * @param count how many Sentinels watch (1 by default; 3 for a quorum of 2)
		 * @return this builder
		 */
		public Builder sentinels(int count) {
			if (count < 1) {
				throw new IllegalArgumentException("At least one Sentinel");
			}
			this.sentinels = count;
			return this;
		}

		/**
		 * @param downAfter after how long without an answer the Sentinels consider the
		 * primary down (1 s by default)
		 * @return this builder
		 */
		public Builder downAfter(Duration downAfter) {
			this.downAfter = Objects.requireNonNull(downAfter, "downAfter");
			return this;
		}

		/**
		 * @param failoverTimeout the Sentinels' {@code failover-timeout} (5 s by default)
		 * @return this builder
		 */
		public Builder failoverTimeout(Duration failoverTimeout) {
			this.failoverTimeout = Objects.requireNonNull(failoverTimeout, "failoverTimeout");
			return this;
		}

		/**
		 * @param binary a {@code redis-server} binary for every process
		 * @return this builder
		 */
		public Builder binary(Path binary) {
			this.binary = Objects.requireNonNull(binary, "binary");
			return this;
		}

		/**
		 * @return the group, not started
		 */
		public RedisSentinelGroup build() {
			return new RedisSentinelGroup(this);
		}

	}

}
