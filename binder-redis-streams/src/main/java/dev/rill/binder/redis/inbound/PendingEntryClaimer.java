package dev.rill.binder.redis.inbound;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.rill.binder.redis.provisioning.ConsumerGroupAdmin;
import dev.rill.binder.redis.provisioning.RedisErrorReply;

import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamInfo.XInfoConsumer;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Takes over the work of dead consumers of a binding's group, on a thread of its own.
 * <p>
 * Every {@code claim-interval} it moves entries that have been pending on any consumer
 * of the group for longer than {@code claim-idle-time} to one of this binding's consumers
 * per stream key ({@code XAUTOCLAIM ... JUSTID}, which does not count as a delivery) and
 * asks that consumer to read its pending list again, which delivers them (and counts the
 * delivery). Consumers idle for longer than {@code consumer-expiry} that hold no pending
 * entries are then removed from the group; those that still hold entries never are.
 * <p>
 * A consumer that is alive but slow must not lose its entries to this: an entry's idle
 * time only grows while nobody touches it. So, every third of {@code claim-idle-time},
 * the claimer touches the entries each of the binding's own consumers holds in memory
 * (an {@code XCLAIM} to the same owner with {@code JUSTID}, which resets the idle time
 * without counting a delivery, and only while that consumer still owns them). A handler
 * that runs for longer than {@code claim-idle-time} therefore keeps its entries for as
 * long as its process lives.
 */
final class PendingEntryClaimer {

	private static final Log logger = LogFactory.getLog(PendingEntryClaimer.class);

	/** How many pages of {@code read-count} entries one tick may claim per stream key. */
	private static final int MAX_PAGES_PER_TICK = 10;

	private final PendingEntryCommands commands;

	private final ConsumerGroupAdmin groupAdmin;

	private final String group;

	private final Duration claimIdleTime;

	private final Duration claimInterval;

	private final Duration consumerExpiry;

	private final int pageSize;

	private final ConsumptionControl control;

	private final ConsumerBindingListener listener;

	private final String threadName;

	/** Per stream key: where the next {@code XAUTOCLAIM} scan continues. */
	private final Map<String, String> cursors = new HashMap<>();

	private List<PendingEntryOwner> consumers = List.of();

	private ScheduledExecutorService scheduler;

	private volatile boolean failing;

	PendingEntryClaimer(PendingEntryCommands commands, ConsumerGroupAdmin groupAdmin, String group,
			Duration claimIdleTime, Duration claimInterval, Duration consumerExpiry, int pageSize,
			ConsumptionControl control, ConsumerBindingListener listener, String threadName) {
		this.commands = commands;
		this.groupAdmin = groupAdmin;
		this.group = group;
		this.claimIdleTime = claimIdleTime;
		this.claimInterval = claimInterval;
		this.consumerExpiry = consumerExpiry;
		this.pageSize = pageSize;
		this.control = control;
		this.listener = listener;
		this.threadName = threadName;
	}

	/**
	 * @param consumers the binding's consumers; the first one of each stream key receives
	 * what is claimed on that key
	 */
	synchronized void start(List<? extends PendingEntryOwner> consumers) {
		this.consumers = List.copyOf(consumers);
		this.scheduler = Executors.newSingleThreadScheduledExecutor(new CustomizableThreadFactory(this.threadName));
		long refreshMillis = Math.max(1, this.claimIdleTime.toMillis() / 3);
		this.scheduler.scheduleWithFixedDelay(this::refreshHeldEntries, refreshMillis, refreshMillis,
				TimeUnit.MILLISECONDS);
		this.scheduler.scheduleWithFixedDelay(this::claimAndSweep, this.claimInterval.toMillis(),
				this.claimInterval.toMillis(), TimeUnit.MILLISECONDS);
	}

	/**
	 * Stop claiming. Called before the consumers stop, so nothing is claimed for a
	 * consumer that will not read it; entries claimed already stay in its pending list.
	 */
	synchronized void stop() {
		if (this.scheduler != null) {
			this.scheduler.shutdownNow();
			try {
				this.scheduler.awaitTermination(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.scheduler = null;
		}
	}

	/**
	 * Reset the idle time of the entries the binding's consumers are processing.
	 */
	void refreshHeldEntries() {
		runGuarded("refresh the idle time of the entries being processed", () -> {
			for (PendingEntryOwner consumer : this.consumers) {
				List<RecordId> held = consumer.heldEntries();
				if (!held.isEmpty()) {
					StreamReader reader = consumer.reader();
					this.commands.touch(reader.key(), this.group, reader.consumerName(), held);
				}
			}
		});
	}

	/**
	 * Claim idle entries of other consumers, then remove consumers that are gone.
	 */
	void claimAndSweep() {
		if (this.control.isPaused()) {
			// A paused binding would sit on what it claims; other instances may take it.
			return;
		}
		runGuarded("claim idle pending entries", () -> {
			this.consumers.forEach(this::rereadStranded);
			for (PendingEntryOwner consumer : firstConsumerPerKey()) {
				claimFor(consumer);
				removeIdleConsumers(consumer.reader().key());
			}
		});
	}

	/**
	 * Find entries pending on one of the binding's own consumers that it does not hold:
	 * delivered by a read whose reply was lost (Lettuce replays a command that was in
	 * flight when the connection broke, so the consumer never sees an error and the
	 * entries of the lost reply are delivered to it without it knowing). The consumer is
	 * asked to read its pending list again, rather than waiting for {@code claim-idle-time}.
	 */
	private void rereadStranded(PendingEntryOwner consumer) {
		StreamReader reader = consumer.reader();
		Set<RecordId> held = Set.copyOf(consumer.heldEntries());
		long stranded = this.commands.oldestPending(reader.key(), this.group, reader.consumerName(), this.pageSize)
			.stream()
			.filter(entry -> !held.contains(entry.getId())
					&& entry.getElapsedTimeSinceLastDelivery().compareTo(this.claimInterval) > 0)
			.count();
		if (stranded > 0) {
			logger.info("Consumer '" + reader.consumerName() + "' of group '" + this.group + "' on stream '"
					+ reader.key() + "' has " + stranded + " pending entries it is not processing (a reply lost "
					+ "with a connection?); it reads its pending list again");
			consumer.requestDrain();
		}
	}

	private void claimFor(PendingEntryOwner consumer) {
		StreamReader reader = consumer.reader();
		String key = reader.key();
		long claimed = 0;
		long deleted = 0;
		String cursor = this.cursors.getOrDefault(key, PendingEntryCommands.SCAN_START);
		for (int page = 0; page < MAX_PAGES_PER_TICK; page++) {
			PendingEntryCommands.AutoClaim result = this.commands.autoClaim(key, this.group, reader.consumerName(),
					this.claimIdleTime, cursor, this.pageSize);
			claimed += result.claimed();
			deleted += result.deleted();
			cursor = result.nextCursor();
			if (result.isScanComplete()) {
				break;
			}
		}
		this.cursors.put(key, cursor);
		if (deleted > 0) {
			this.listener.trimmed((int) deleted);
			logger.warn(deleted + " entries pending for group '" + this.group + "' on stream '" + key
					+ "' were deleted from the stream (trimmed) before they were processed; "
					+ "dropped them from the pending list while claiming");
		}
		if (claimed > 0) {
			this.listener.claimed((int) claimed);
			logger.info("Claimed " + claimed + " entries of stream '" + key + "' pending for group '" + this.group
					+ "' for longer than " + this.claimIdleTime + "; consumer '" + reader.consumerName()
					+ "' processes them");
			consumer.requestDrain();
		}
	}

	private void removeIdleConsumers(String key) {
		Set<String> own = this.consumers.stream()
			.map(owner -> owner.reader().consumerName())
			.collect(Collectors.toSet());
		for (XInfoConsumer consumer : this.commands.consumers(key, this.group)) {
			boolean gone = consumer.pendingCount() == 0 && consumer.idleTime().compareTo(this.consumerExpiry) > 0;
			if (gone && !own.contains(consumer.consumerName())
					&& this.groupAdmin.removeConsumerIfNoPending(key, this.group, consumer.consumerName())) {
				logger.info("Removed consumer '" + consumer.consumerName() + "' from group '" + this.group
						+ "' of stream '" + key + "': idle for " + consumer.idleTime() + " with nothing pending");
			}
		}
	}

	private List<PendingEntryOwner> firstConsumerPerKey() {
		Map<String, PendingEntryOwner> first = new HashMap<>();
		for (PendingEntryOwner consumer : this.consumers) {
			first.putIfAbsent(consumer.reader().key(), consumer);
		}
		return List.copyOf(first.values());
	}

	/**
	 * Run a step; a failure (Redis away, group gone) is logged once until a step succeeds
	 * again, and the next tick retries. The consumers report and recover on their own.
	 */
	private void runGuarded(String what, Runnable step) {
		try {
			step.run();
			if (this.failing) {
				this.failing = false;
				logger.info("The claimer of group '" + this.group + "' works again");
			}
		}
		catch (RuntimeException ex) {
			if (!this.failing && !RedisErrorReply.hasCode(ex, "NOGROUP")) {
				this.failing = true;
				logger.warn("The claimer of group '" + this.group + "' failed to " + what + ": " + RedisErrorReply.reasonOf(ex)
						+ "; it tries again on its next turn");
			}
		}
	}

}
