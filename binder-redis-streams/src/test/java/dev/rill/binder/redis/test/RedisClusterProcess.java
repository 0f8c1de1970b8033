package dev.rill.binder.redis.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private Redis Cluster of primaries without replicas, each a {@link RedisServerProcess}
 * ({@code cluster-enabled yes}) on a free loopback port with a data directory of its own.
 * <pre>
 * try (RedisClusterProcess cluster = RedisClusterProcess.builder().primaries(3).build().start()) {
 *     cluster.slotOwner("orders").command("XADD", "orders", "*", "payload", "x");
 *     cluster.migrateSlot(cluster.slot("orders"), cluster.primaries().get(0));
 * }
 * </pre>
 * <p>
 * <b>Creation.</b> The slots are split into equal ranges, one per primary, as
 * {@code redis-cli --cluster create} splits them (3 primaries: {@code 0-5460},
 * {@code 5461-10922}, {@code 10923-16383}). With {@code redis-cli} on {@code PATH} the
 * cluster is created by {@code redis-cli --cluster create ... --cluster-replicas 0
 * --cluster-yes}; without it (the Redis 6.2 that embedded-redis ships comes without one), or
 * when {@link Builder#creation(Creation)} asks for it, by the commands redis-cli sends:
 * {@code CLUSTER ADDSLOTS} on each node, {@code CLUSTER SET-CONFIG-EPOCH}, {@code CLUSTER
 * MEET}. Either way {@link #start()} returns only once every node reports
 * {@code cluster_state:ok} and knows every other node.
 * <p>
 * <b>Ports.</b> A cluster node also listens on its cluster bus port, its port + 10000
 * (Redis 6.2 has no {@code cluster-port} directive to choose another), so each node's port
 * is picked such that both are free.
 * <p>
 * <b>Keys.</b> A key lives on the primary that owns its hash slot: {@link #slotOwner(String)}
 * names it (from that node's own {@code CLUSTER NODES} line, which is authoritative for the
 * node itself), {@link #command(String, String...)} sends a command there.
 * {@link #migrateSlot(int, RedisServerProcess)} moves a slot and its keys to another
 * primary as {@code redis-cli --cluster reshard} does, while clients keep running.
 */
public final class RedisClusterProcess implements AutoCloseable {

	/** The number of hash slots of a Redis Cluster. */
	public static final int SLOTS = 16384;

	private static final Logger logger = LoggerFactory.getLogger(RedisClusterProcess.class);

	/** The distance between a node's port and its cluster bus port. */
	private static final int BUS_PORT_OFFSET = 10000;

	private static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(30);

	private static final Pattern WHITESPACE = Pattern.compile("\\s+");

	private final List<RedisServerProcess> primaries;

	private final Creation creation;

	private final Duration readyTimeout;

	private boolean started;

	private RedisClusterProcess(Builder builder) {
		this.creation = builder.creation;
		this.readyTimeout = builder.readyTimeout;
		List<RedisServerProcess> nodes = new ArrayList<>();
		try {
			for (int i = 0; i < builder.primaries; i++) {
				RedisServerProcess.Builder node = RedisServerProcess.builder()
					.port(freePortWithFreeBusPort(nodes))
					.setting("cluster-enabled", "yes")
					// Relative to the node's own data directory.
					.setting("cluster-config-file", "nodes.conf")
					.setting("cluster-node-timeout", "5000");
				if (builder.useEmbeddedBinary) {
					node.useEmbeddedBinary();
				}
				if (builder.binary != null) {
					node.binary(builder.binary);
				}
				nodes.add(node.build());
			}
		}
		catch (RuntimeException ex) {
			nodes.forEach(RedisServerProcess::close);
			throw ex;
		}
		this.primaries = List.copyOf(nodes);
	}

	/**
	 * @return a builder of a cluster of 3 primaries, created with {@code redis-cli} when it is
	 * on {@code PATH}
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Start every node, create the cluster and wait until every node reports
	 * {@code cluster_state:ok}. Does nothing when it was started already.
	 * @return this cluster
	 * @throws IllegalStateException when the cluster is not ready within the timeout (30 s
	 * by default); the message holds each node's {@code CLUSTER INFO} and {@code CLUSTER NODES}
	 */
	public synchronized RedisClusterProcess start() {
		if (this.started) {
			return this;
		}
		long begin = System.nanoTime();
		try {
			this.primaries.forEach(RedisServerProcess::start);
			Optional<Path> redisCli = (this.creation == Creation.COMMANDS) ? Optional.empty() : Executables.onPath("redis-cli");
			if (redisCli.isPresent()) {
				createWithRedisCli(redisCli.get());
			}
			else if (this.creation == Creation.REDIS_CLI) {
				throw new IllegalStateException("No redis-cli on PATH to create the cluster with");
			}
			else {
				createWithCommands();
			}
			awaitReady();
		}
		catch (RuntimeException ex) {
			this.primaries.forEach(RedisServerProcess::close);
			throw ex;
		}
		this.started = true;
		logger.info("Started a Redis Cluster of {} primaries ({}) in {} ms: {}", this.primaries.size(),
				this.primaries.get(0).version(), Duration.ofNanos(System.nanoTime() - begin).toMillis(), nodes());
		return this;
	}

	private void createWithRedisCli(Path redisCli) {
		List<String> command = new ArrayList<>(List.of(redisCli.toString(), "--cluster", "create"));
		this.primaries.forEach(node -> command.add(node.host() + ":" + node.port()));
		command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
		String output;
		int exitCode;
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			try (InputStream in = process.getInputStream()) {
				output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
			if (!process.waitFor(this.readyTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("redis-cli --cluster create did not finish:\n" + output);
			}
			exitCode = process.exitValue();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run " + redisCli, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while creating the cluster", ex);
		}
		if (exitCode != 0) {
			throw new IllegalStateException("redis-cli --cluster create exited with " + exitCode + ":\n" + output);
		}
		logger.info("Created the cluster with {}", redisCli);
	}

	/**
	 * What {@code redis-cli --cluster create} does: slots to each node, a distinct config
	 * epoch per node (so the nodes need not resolve epoch collisions first), then the nodes
	 * meet and gossip spreads who serves which slots.
	 */
	private void createWithCommands() {
		int count = this.primaries.size();
		for (int i = 0; i < count; i++) {
			RedisServerProcess node = this.primaries.get(i);
			List<String> addSlots = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
			for (int slot = firstSlot(i, count); slot <= lastSlot(i, count); slot++) {
				addSlots.add(Integer.toString(slot));
			}
			expectOk(node, addSlots.toArray(String[]::new));
			expectOk(node, "CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
		}
		// Every node meets every other one: gossip alone would get there too, but slower.
		for (RedisServerProcess node : this.primaries) {
			for (RedisServerProcess other : this.primaries) {
				if (other != node) {
					expectOk(node, "CLUSTER", "MEET", other.host(), Integer.toString(other.port()));
				}
			}
		}
		logger.info("Created the cluster with CLUSTER ADDSLOTS and CLUSTER MEET");
	}

	/** The first slot of primary {@code index}, as redis-cli splits them. */
	static int firstSlot(int index, int count) {
		return (int) Math.round((double) SLOTS / count * index);
	}

	/** The last slot of primary {@code index}, as redis-cli splits them. */
	static int lastSlot(int index, int count) {
		return (index == count - 1) ? SLOTS - 1 : (int) Math.round((double) SLOTS / count * (index + 1)) - 1;
	}

	private void awaitReady() {
		long deadline = System.nanoTime() + this.readyTimeout.toNanos();
		while (!isReady()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The cluster was not ready within " + this.readyTimeout.toSeconds()
						+ " s:\n" + describe());
			}
			pause(Duration.ofMillis(50));
		}
	}

	/**
	 * @return whether every node reports {@code cluster_state:ok}, knows every node and sees
	 * every slot assigned (which it learns from the owners' gossip)
	 */
	private boolean isReady() {
		for (RedisServerProcess node : this.primaries) {
			String info = node.command("CLUSTER", "INFO");
			if (info == null || !info.contains("cluster_state:ok")
					|| !info.contains("cluster_known_nodes:" + this.primaries.size())
					|| !info.contains("cluster_slots_ok:" + SLOTS)) {
				return false;
			}
		}
		return true;
	}

	// ------------------------------------------------------------------ keys and slots

	/**
	 * @param key a key
	 * @return its hash slot ({@code CLUSTER KEYSLOT})
	 */
	public int slot(String key) {
		return Integer.parseInt(this.primaries.get(0).command("CLUSTER", "KEYSLOT", key));
	}

	/**
	 * @param key a key
	 * @return the primary that owns the key's hash slot
	 */
	public RedisServerProcess slotOwner(String key) {
		return ownerOf(slot(key));
	}

	/**
	 * @param slot a hash slot
	 * @return the primary that owns it, by its own account
	 * @throws IllegalStateException when no primary claims it
	 */
	public RedisServerProcess ownerOf(int slot) {
		for (RedisServerProcess node : this.primaries) {
			for (int[] range : ownSlots(node)) {
				if (slot >= range[0] && slot <= range[1]) {
					return node;
				}
			}
		}
		throw new IllegalStateException("No primary owns slot " + slot + ":\n" + describe());
	}

	/**
	 * Send a command to the primary that owns {@code key}, so it is neither redirected nor
	 * refused, e.g. {@code command("orders", "XLEN", "orders")}.
	 * @param key the key whose owner receives the command
	 * @param args the command and its arguments
	 * @return the reply as text, see {@link RespClient#command(String...)}
	 */
	public String command(String key, String... args) {
		return slotOwner(key).command(args);
	}

	/**
	 * @param node one of the primaries
	 * @return its cluster node id ({@code CLUSTER MYID})
	 */
	public String nodeId(RedisServerProcess node) {
		return node.command("CLUSTER", "MYID");
	}

	/**
	 * Move a slot, with its keys, to another primary while the cluster serves clients, as
	 * {@code redis-cli --cluster reshard} does: {@code CLUSTER SETSLOT IMPORTING} on the
	 * target, {@code MIGRATING} on the owner, {@code MIGRATE} of its keys, then
	 * {@code CLUSTER SETSLOT NODE} on the target, the former owner and the other primaries.
	 * In between, clients are redirected with {@code -ASK} for keys already moved; afterwards
	 * with {@code -MOVED}. Returns once every primary sees the target as the owner.
	 * @param slot the slot
	 * @param target the primary that owns it afterwards
	 * @return the migration, finished; see {@link #beginMigration} to run it step by step
	 */
	public SlotMigration migrateSlot(int slot, RedisServerProcess target) {
		SlotMigration migration = beginMigration(slot, target);
		migration.moveKeys();
		migration.finish();
		return migration;
	}

	/**
	 * Start moving a slot to another primary: marks it {@code IMPORTING} on the target and
	 * {@code MIGRATING} on its owner; its keys stay where they are until
	 * {@link SlotMigration#moveKeys()}.
	 * @param slot the slot
	 * @param target the primary that owns it once the migration is finished
	 * @return the migration
	 */
	public SlotMigration beginMigration(int slot, RedisServerProcess target) {
		RedisServerProcess source = ownerOf(slot);
		if (source == target) {
			throw new IllegalArgumentException("Slot " + slot + " is on " + target.uri() + " already");
		}
		SlotMigration migration = new SlotMigration(slot, source, target);
		migration.begin();
		return migration;
	}

	/**
	 * @return the primaries, in the order of their slot ranges
	 */
	public List<RedisServerProcess> primaries() {
		return this.primaries;
	}

	/**
	 * @return the nodes as {@code 127.0.0.1:PORT,...}, the form of
	 * {@code spring.data.redis.cluster.nodes}
	 */
	public String nodes() {
		return this.primaries.stream().map(node -> node.host() + ":" + node.port()).collect(Collectors.joining(","));
	}

	/**
	 * @return {@code spring.data.redis.cluster.nodes} pointing Spring Data Redis at the
	 * cluster
	 */
	public Map<String, Object> springProperties() {
		return Map.of("spring.data.redis.cluster.nodes", nodes());
	}

	/**
	 * Remove every key of every primary ({@code FLUSHALL} on each: in a cluster it flushes
	 * only the node it is sent to).
	 */
	public void flushAll() {
		this.primaries.forEach(node -> expectOk(node, "FLUSHALL"));
	}

	/**
	 * Stop every node and delete its data directory.
	 */
	@Override
	public synchronized void close() {
		RuntimeException failure = null;
		for (RedisServerProcess node : this.primaries) {
			try {
				node.close();
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

	@Override
	public String toString() {
		return "Redis Cluster " + nodes();
	}

	/**
	 * @return each node's {@code CLUSTER INFO} state and {@code CLUSTER NODES}, for failure
	 * messages
	 */
	public String describe() {
		StringBuilder text = new StringBuilder();
		for (RedisServerProcess node : this.primaries) {
			text.append("--- ").append(node.uri()).append(" ---\n");
			try {
				String info = node.command("CLUSTER", "INFO");
				text.append(info == null ? "" : info.lines().filter(line -> line.startsWith("cluster_state")
						|| line.startsWith("cluster_known_nodes") || line.startsWith("cluster_slots_assigned"))
					.collect(Collectors.joining(" "))).append('\n');
				text.append(node.command("CLUSTER", "NODES")).append('\n');
			}
			catch (RuntimeException ex) {
				text.append("(unreachable: ").append(ex.getMessage()).append(")\n");
			}
		}
		return text.toString();
	}

	// ------------------------------------------------------------------ CLUSTER NODES

	/** The slot ranges a node serves by its own account (its {@code myself} line). */
	private static List<int[]> ownSlots(RedisServerProcess node) {
		return nodeLines(node).stream().filter(NodeLine::myself).findFirst().map(NodeLine::slots).orElse(List.of());
	}

	private static List<NodeLine> nodeLines(RedisServerProcess node) {
		String reply = node.command("CLUSTER", "NODES");
		if (reply == null || reply.startsWith("-")) {
			throw new IllegalStateException("CLUSTER NODES failed on " + node.uri() + ": " + reply);
		}
		return reply.lines().filter(line -> !line.isBlank()).map(NodeLine::parse).toList();
	}

	/**
	 * One line of {@code CLUSTER NODES}: {@code <id> <ip:port@cport> <flags> <primary> <ping>
	 * <pong> <epoch> <link> <slot> <slot> ...}, where a slot is {@code n}, {@code n-m}, or an
	 * open migration {@code [n->-id]} / {@code [n-<-id]} (not a served slot).
	 */
	private record NodeLine(String id, boolean myself, List<int[]> slots) {

		static NodeLine parse(String line) {
			String[] fields = WHITESPACE.split(line.trim());
			List<int[]> slots = new ArrayList<>();
			for (int i = 8; i < fields.length; i++) {
				String slot = fields[i];
				if (slot.startsWith("[")) {
					continue;
				}
				int dash = slot.indexOf('-');
				slots.add((dash < 0) ? new int[] { Integer.parseInt(slot), Integer.parseInt(slot) }
						: new int[] { Integer.parseInt(slot.substring(0, dash)),
								Integer.parseInt(slot.substring(dash + 1)) });
			}
			return new NodeLine(fields[0], fields[2].contains("myself"), slots);
		}

		boolean owns(int slot) {
			return this.slots.stream().anyMatch(range -> slot >= range[0] && slot <= range[1]);
		}

	}

	// ------------------------------------------------------------------ helpers

	private static void expectOk(RedisServerProcess node, String... command) {
		String reply = node.command(command);
		if (!"OK".equals(reply)) {
			throw new IllegalStateException(command[0] + " " + ((command.length > 1) ? command[1] : "") + " on "
					+ node.uri() + " failed: " + reply);
		}
	}

	/**
	 * A port that is free, whose bus port (+10000) is free too, and that no other node of
	 * this cluster took.
	 */
	private static int freePortWithFreeBusPort(List<RedisServerProcess> taken) {
		for (int attempt = 0; attempt < 100; attempt++) {
			// Below the usual ephemeral range (32768-60999), so that neither the port nor
			// the bus port is likely to be taken by an outgoing connection meanwhile.
			int port = ThreadLocalRandom.current().nextInt(12000, 22000);
			boolean clash = taken.stream().anyMatch(node -> Math.abs(node.port() - port) % BUS_PORT_OFFSET == 0);
			if (!clash && port != 6379 && isFree(port) && isFree(port + BUS_PORT_OFFSET)) {
				return port;
			}
		}
		throw new IllegalStateException("Found no free pair of ports (port and port + 10000) for a cluster node");
	}

	private static boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(RedisServerProcess.HOST))) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static void pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for the cluster", ex);
		}
	}

	/** How {@link #start()} creates the cluster. */
	public enum Creation {

		/** With {@code redis-cli --cluster create} when it is on {@code PATH}, else with commands. */
		AUTO,

		/** With {@code redis-cli --cluster create}; fails without it. */
		REDIS_CLI,

		/** With {@code CLUSTER ADDSLOTS}, {@code SET-CONFIG-EPOCH} and {@code MEET}, as redis-cli would. */
		COMMANDS

	}

	/**
	 * A slot on its way from one primary to another; see {@link #beginMigration}. Its steps
	 * run in order: {@link #moveKeys()}, then {@link #finish()}.
	 */
	public final class SlotMigration {

		private final int slot;

		private final RedisServerProcess source;

		private final RedisServerProcess target;

		private final String sourceId;

		private final String targetId;

		private int movedKeys;

		private SlotMigration(int slot, RedisServerProcess source, RedisServerProcess target) {
			this.slot = slot;
			this.source = source;
			this.target = target;
			this.sourceId = nodeId(source);
			this.targetId = nodeId(target);
		}

		private void begin() {
			// IMPORTING first: a client sent to the target by -ASK must find it ready.
			expectOk(this.target, "CLUSTER", "SETSLOT", Integer.toString(this.slot), "IMPORTING", this.sourceId);
			expectOk(this.source, "CLUSTER", "SETSLOT", Integer.toString(this.slot), "MIGRATING", this.targetId);
		}

		/**
		 * Move every key of the slot to the target ({@code MIGRATE}, in batches); from now on
		 * the former owner answers commands on these keys with {@code -ASK}.
		 * @return this migration
		 */
		public SlotMigration moveKeys() {
			while (true) {
				String reply = this.source.command("CLUSTER", "GETKEYSINSLOT", Integer.toString(this.slot), "100");
				if (reply == null || reply.isEmpty()) {
					return this;
				}
				List<String> keys = reply.lines().toList();
				List<String> migrate = new ArrayList<>(List.of("MIGRATE", this.target.host(),
						Integer.toString(this.target.port()), "", "0", "5000", "KEYS"));
				migrate.addAll(keys);
				String migrated = this.source.command(migrate.toArray(String[]::new));
				if (!"OK".equals(migrated) && !"NOKEY".equals(migrated)) {
					throw new IllegalStateException("MIGRATE of slot " + this.slot + " failed: " + migrated);
				}
				this.movedKeys += keys.size();
			}
		}

		/**
		 * Give the slot to the target on every primary (target first, then the former owner,
		 * as redis-cli does) and wait until every primary sees it there. From now on the
		 * former owner answers commands on the slot's keys with {@code -MOVED}.
		 * @return this migration
		 */
		public SlotMigration finish() {
			String slotText = Integer.toString(this.slot);
			expectOk(this.target, "CLUSTER", "SETSLOT", slotText, "NODE", this.targetId);
			expectOk(this.source, "CLUSTER", "SETSLOT", slotText, "NODE", this.targetId);
			for (RedisServerProcess other : RedisClusterProcess.this.primaries) {
				if (other != this.source && other != this.target) {
					expectOk(other, "CLUSTER", "SETSLOT", slotText, "NODE", this.targetId);
				}
			}
			long deadline = System.nanoTime() + RedisClusterProcess.this.readyTimeout.toNanos();
			while (!RedisClusterProcess.this.primaries.stream()
				.allMatch(node -> nodeLines(node).stream()
					.filter(line -> line.owns(this.slot))
					.map(NodeLine::id)
					.toList()
					.equals(List.of(this.targetId)))) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("Not every primary sees slot " + this.slot + " on "
							+ this.target.uri() + ":\n" + describe());
				}
				pause(Duration.ofMillis(20));
			}
			logger.info("Moved slot {} ({} keys) from {} to {}", this.slot, this.movedKeys, this.source.uri(),
					this.target.uri());
			return this;
		}

		/**
		 * @return the slot
		 */
		public int slot() {
			return this.slot;
		}

		/**
		 * @return the primary that owned the slot when the migration began
		 */
		public RedisServerProcess source() {
			return this.source;
		}

		/**
		 * @return the primary that owns the slot once the migration is finished
		 */
		public RedisServerProcess target() {
			return this.target;
		}

		/**
		 * @return how many keys {@link #moveKeys()} moved
		 */
		public int movedKeys() {
			return this.movedKeys;
		}

	}

	/** Builds a {@link RedisClusterProcess}; every option has a default. */
	public static final class Builder {

		private int primaries = 3;

		private Creation creation = Creation.AUTO;

		private boolean useEmbeddedBinary;

		private Path binary;

		private Duration readyTimeout = DEFAULT_READY_TIMEOUT;

		private Builder() {
		}

		/**
		 * @param count how many primaries (3 by default, the least Redis Cluster accepts from
		 * redis-cli)
		 * @return this builder
		 */
		public Builder primaries(int count) {
			if (count < 1) {
				throw new IllegalArgumentException("A cluster needs at least one primary, not " + count);
			}
			this.primaries = count;
			return this;
		}

		/**
		 * @param creation how to create the cluster ({@link Creation#AUTO} by default)
		 * @return this builder
		 */
		public Builder creation(Creation creation) {
			this.creation = Objects.requireNonNull(creation, "creation");
			return this;
		}

		/**
		 * Run the Redis 6.2 that embedded-redis ships, even when there is a
		 * {@code redis-server} on {@code PATH}.
		 * @return this builder
		 */
		public Builder useEmbeddedBinary() {
			this.useEmbeddedBinary = true;
			return this;
		}

		/**
		 * @param binary the {@code redis-server} binary of every node
		 * @return this builder
		 */
		public Builder binary(Path binary) {
			this.binary = Objects.requireNonNull(binary, "binary");
			return this;
		}

		/**
		 * @param timeout how long {@link RedisClusterProcess#start()} waits for
		 * {@code cluster_state:ok} (30 s by default)
		 * @return this builder
		 */
		public Builder readyTimeout(Duration timeout) {
			this.readyTimeout = Objects.requireNonNull(timeout, "timeout");
			return this;
		}

		/**
		 * Pick the ports and create the nodes' data directories. Starts nothing.
		 * @return the cluster, not started
		 */
		public RedisClusterProcess build() {
			return new RedisClusterProcess(this);
		}

	}

}
