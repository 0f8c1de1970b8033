package dev.rill.binder.redis.inbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.rill.binder.redis.properties.RedisStreamsConsumerProperties;
import dev.rill.binder.redis.provisioning.ConsumerGroupAdmin;
import dev.rill.binder.redis.provisioning.RedisStreamConsumerDestination;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.cloud.stream.binder.ExtendedConsumerProperties;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.integration.core.Pausable;
import org.springframework.integration.endpoint.MessageProducerSupport;
import org.springframework.retry.RecoveryCallback;
import org.springframework.retry.support.RetryTemplate;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The consumer endpoint of a binding: runs one {@link StreamConsumerLoop} per stream key
 * and concurrency slot, each on its own thread and connection.
 * <p>
 * A {@link PendingEntryClaimer} takes over entries that dead consumers of the group left
 * pending, and keeps the entries this binding is processing from looking abandoned.
 * <p>
 * Pausing stops reading (loops wait before their next read; the consumers stay in the
 * group with their pending entries) and resuming continues. Stopping lets every loop
 * finish the entries it holds and acknowledge them, then closes its connection; a loop
 * still busy after the binder's {@code shutdown-timeout} is aborted, and what it held
 * stays pending for redelivery.
 */
public class RedisStreamsMessageDrivenChannelAdapter extends MessageProducerSupport implements Pausable {

	/** How a loop backs off while Redis fails: 100 ms doubling up to 5 s, forever. */
	private static final BackOff FAILURE_BACK_OFF = failureBackOff();

	/** How long an aborted consumer gets to leave after its interrupt. */
	private static final Duration ABORT_GRACE = Duration.ofSeconds(1);

	/** How much shorter than the command timeout a blocking read must be. */
	private static final Duration BLOCK_MARGIN = Duration.ofMillis(500);

	private final RedisStreamConsumerDestination destination;

	private final ExtendedConsumerProperties<RedisStreamsConsumerProperties> properties;

	private final RedisConnectionFactory connectionFactory;

	private final ConsumerGroupAdmin groupAdmin;

	private final Duration shutdownTimeout;

	private final String applicationName;

	private final ConsumptionControl control = new ConsumptionControl();

	private final List<StreamConsumerLoop> loops = new CopyOnWriteArrayList<>();

	private final List<Thread> threads = new ArrayList<>();

	private PendingEntryClaimer claimer;

	private RetryTemplate retryTemplate = new RetryTemplate();

	private RecoveryCallback<?> recoveryCallback;

	private ConsumerBindingListener listener = ConsumerBindingListener.NONE;

	private Duration commandTimeout;

	private ObservationRegistry dispatchObservationRegistry;

	public RedisStreamsMessageDrivenChannelAdapter(RedisStreamConsumerDestination destination,
			ExtendedConsumerProperties<RedisStreamsConsumerProperties> properties,
			RedisConnectionFactory connectionFactory, ConsumerGroupAdmin groupAdmin, Duration shutdownTimeout,
			String applicationName) {
		this.destination = destination;
		this.properties = properties;
		this.connectionFactory = connectionFactory;
		this.groupAdmin = groupAdmin;
		this.shutdownTimeout = shutdownTimeout;
		this.applicationName = applicationName;
	}

	/**
	 * @param retryTemplate runs the handler with the binding's retry settings
	 */
	public void setRetryTemplate(RetryTemplate retryTemplate) {
		this.retryTemplate = retryTemplate;
	}

	/**
	 * @param recoveryCallback called when the attempts are used up (publishes to the error channel)
	 */
	public void setRecoveryCallback(RecoveryCallback<?> recoveryCallback) {
		this.recoveryCallback = recoveryCallback;
	}

	/**
	 * @param commandTimeout the Redis client's command timeout
	 * ({@code spring.data.redis.timeout}), which also bounds a blocking read
	 */
	public void setCommandTimeout(Duration commandTimeout) {
		this.commandTimeout = commandTimeout;
	}

	/**
	 * @param observationRegistry observes the dispatch of every message (binder property
	 * {@code enable-observation}, see {@link ObservedDispatch})
	 */
	public void setObservationRegistry(ObservationRegistry observationRegistry) {
		this.dispatchObservationRegistry = observationRegistry;
	}

	@Override
	public String getComponentType() {
		return "redis-streams:message-driven-channel-adapter";
	}

	@Override
	protected void doStart() {
		RedisStreamsConsumerProperties redis = this.properties.getExtension();
		int concurrency = Math.max(1, this.properties.getConcurrency());
		ConsumerNames names = new ConsumerNames(redis.getConsumerName(), this.applicationName,
				this.properties.getInstanceIndex(), concurrency * this.destination.getKeys().size());
		MessageDispatcher dispatcher = new MessageDispatcher(this::sendMessage, this.retryTemplate,
				this.recoveryCallback, redis.isEnableDlq(), this.listener, this.control::isRunning);
		if (this.dispatchObservationRegistry != null) {
			dispatcher.setObservedDispatch(new ObservedDispatch(this.dispatchObservationRegistry, this.destination.getName(),
					this.destination.getGroup()));
		}
		StreamEntryProcessor processor = new StreamEntryProcessor(dispatcher, this.properties.isBatchMode(),
				redis.effectiveAckBatchSize(), redis.getMaxDeliveries(), this.listener);
		Duration blockTime = effectiveBlockTime(redis.getBlockTime());
		this.control.start();
		CustomizableThreadFactory threadFactory = new CustomizableThreadFactory(
				"redis-" + this.destination.getName() + "-" + this.destination.getGroup() + "-");
		for (String key : this.destination.getKeys()) {
			for (int slot = 0; slot < concurrency; slot++) {
				StreamReader reader = new StreamReader(this.connectionFactory, key, this.destination.getGroup(),
						names.next());
				StreamConsumerLoop loop = new StreamConsumerLoop(reader, processor, this.control, this.groupAdmin,
						this.destination.getStartPosition(), redis.getReadCount(), blockTime, FAILURE_BACK_OFF);
				Thread thread = threadFactory.newThread(loop);
				this.loops.add(loop);
				this.threads.add(thread);
				thread.start();
			}
		}
		this.claimer = new PendingEntryClaimer(new PendingEntryCommands(this.connectionFactory), this.groupAdmin,
				this.destination.getGroup(), redis.getClaimIdleTime(), redis.getClaimInterval(),
				redis.getConsumerExpiry(), redis.getReadCount(),
				this.control, this.listener,
				"redis-claimer-" + this.destination.getName() + "-" + this.destination.getGroup() + "-");
		this.claimer.start(this.loops);
		logger.info("Started " + this.loops.size() + " consumer(s) of " + this.destination);
	}

	@Override
	protected void doStop() {
		if (this.claimer != null) {
			this.claimer.stop();
			this.claimer = null;
		}
		this.control.stop();
		long deadline = System.nanoTime() + this.shutdownTimeout.toNanos();
		for (int i = 0; i < this.threads.size(); i++) {
			Thread thread = this.threads.get(i);
			try {
				thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			if (thread.isAlive()) {
				logger.warn("Consumer thread " + thread.getName() + " of " + this.destination
						+ " did not finish within " + this.shutdownTimeout
						+ "; aborting it, the entries it holds stay pending for redelivery");
				this.loops.get(i).abort();
				thread.interrupt();
				awaitAborted(thread);
			}
		}
		this.loops.clear();
		this.threads.clear();
		logger.info("Stopped the consumers of " + this.destination);
	}

	/**
	 * Give an interrupted consumer a moment to leave while the application's connections
	 * are still open, so that it can acknowledge what it finished and leave the rest pending
	 * cleanly rather than fail against a closed connection factory.
	 */
	private static void awaitAborted(Thread thread) {
		try {
			thread.join(ABORT_GRACE.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void pause() {
		this.control.pause();
		logger.info("Paused the consumers of " + this.destination);
	}

	@Override
	public void resume() {
		this.control.resume();
		logger.info("Resumed the consumers of " + this.destination);
	}

	@Override
	public boolean isPaused() {
		return this.control.isPaused();
	}

	/**
	 * @return what each consumer of the binding is doing (empty while stopped)
	 */
	public List<ConsumerState> consumerStates() {
		return this.loops.stream().map(StreamConsumerLoop::state).toList();
	}

	/**
	 * @return the binding's consumer properties
	 */
	public ExtendedConsumerProperties<RedisStreamsConsumerProperties> getProperties() {
		return this.properties;
	}

	/**
	 * @return the destination (stream keys and group) this endpoint reads
	 */
	public RedisStreamConsumerDestination getDestination() {
		return this.destination;
	}

	/**
	 * @param listener told what happens to the binding's entries
	 */
	public void setListener(ConsumerBindingListener listener) {
		this.listener = listener;
	}

	/**
	 * Lettuce applies its command timeout to a blocking {@code XREADGROUP} like to any
	 * command: a read that blocks as long as the timeout fails every time nothing arrives
	 * (and a reply that comes after the timeout is only found again by the pending-entry
	 * drain). So the read is kept shorter than the timeout, with a warning.
	 */
	private Duration effectiveBlockTime(Duration blockTime) {
		if (this.commandTimeout == null || this.commandTimeout.isZero()
				|| blockTime.plus(BLOCK_MARGIN).compareTo(this.commandTimeout) < 0) {
			return blockTime;
		}
		Duration shortened = this.commandTimeout.minus(BLOCK_MARGIN);
		if (shortened.compareTo(BLOCK_MARGIN) < 0) {
			shortened = this.commandTimeout.dividedBy(2);
		}
		logger.warn("block-time " + blockTime + " of " + this.destination + " is not shorter than the Redis command "
				+ "timeout (spring.data.redis.timeout) " + this.commandTimeout + "; reading with a block time of "
				+ shortened + " instead. Set spring.cloud.stream.redis.bindings." + this.properties.getBindingName()
				+ ".consumer.block-time below the timeout to silence this");
		return shortened;
	}

	private static BackOff failureBackOff() {
		ExponentialBackOff backOff = new ExponentialBackOff(100, 2.0);
		backOff.setMaxInterval(5_000);
		backOff.setMaxElapsedTime(Long.MAX_VALUE);
		return backOff;
	}

}
