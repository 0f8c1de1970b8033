package dev.rill.binder.redis.inbound;

import java.util.ArrayList;
import java.util.List;

import dev.rill.binder.redis.properties.RedisStreamsConsumerProperties;
import dev.rill.binder.redis.provisioning.ConsumerGroupAdmin;
import dev.rill.binder.redis.provisioning.RedisStreamConsumerDestination;

import org.springframework.cloud.stream.binder.ExtendedConsumerProperties;
import org.springframework.context.Lifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.integration.IntegrationMessageHeaderAccessor;
import org.springframework.integration.endpoint.AbstractMessageSource;
import org.springframework.messaging.Message;
import org.springframework.retry.RecoveryCallback;
import org.springframework.retry.support.RetryTemplate;

/**
 * The source behind a polled consumer binding ({@code PollableMessageSource}): every
 * {@link #receive()} returns at most one entry and never blocks.
 * <p>
 * It reads as a consumer of the binding's group, named like the consumers of a
 * message-driven binding (see {@code consumer-name}), one per stream key (several keys
 * for a partitioned binding, taken in turn). Each consumer first hands out its own pending
 * entries (delivered before, for example before a restart under the same
 * {@code consumer-name}, and not acknowledged), then new ones. Messages carry the same
 * headers as those of a message-driven binding ({@code redis_stream},
 * {@code redis_entryId}, {@code redis_group}, {@code redis_consumer},
 * {@code redis_deliveryCount}).
 * <p>
 * An entry is acknowledged through the message's {@code AcknowledgmentCallback}
 * ({@link StreamEntryAcknowledgment}), which Spring Cloud Stream calls when the handler
 * returned ({@code ACCEPT}), failed for good ({@code REJECT}; both {@code XACK}) or asked
 * for the entry again ({@code REQUEUE}: it stays pending and the next poll delivers it
 * again). With {@code enable-dlq}, failures are dead-lettered before the entry is
 * acknowledged, and an entry whose dead letter could not be written is requeued.
 * <p>
 * Entries that must not reach the handler never leave {@code receive}: trimmed entries
 * are acknowledged, unreadable ones and those delivered more than {@code max-deliveries}
 * times go to the binding's error channel (the dead-letter stream) and are acknowledged
 * once that worked.
 * <p>
 * A {@link PendingEntryClaimer} runs while the source runs: it keeps the entries handed
 * out and not yet acknowledged from looking abandoned, and takes over entries of dead
 * consumers of the group, which the next polls then deliver.
 * <p>
 * A poll that received an entry but ended without handling or acknowledging it (its
 * payload could not be converted to the type asked for) is noticed when the same thread
 * polls again: the entry is requeued. So a handler must not poll the source that called
 * it. When Redis fails, {@code receive} (and so {@code poll}) throws; the next one
 * reconnects and reads the own pending entries again first.
 */
public class RedisStreamsPollableMessageSource extends AbstractMessageSource<Object> implements Lifecycle {

	private final RedisStreamConsumerDestination destination;

	private final ExtendedConsumerProperties<RedisStreamsConsumerProperties> properties;

	private final RedisConnectionFactory connectionFactory;

	private final ConsumerGroupAdmin groupAdmin;

	private final String applicationName;

	private final RecoveryCallback<?> recoveryCallback;

	private final ConsumptionControl control = new ConsumptionControl();

	/** Per polling thread: the acknowledgement of the last entry it received. */
	private final ThreadLocal<StreamEntryAcknowledgment> lastReceived = new ThreadLocal<>();

	private ConsumerBindingListener listener = ConsumerBindingListener.NONE;

	private volatile List<PolledStreamConsumer> consumers = List.of();

	private PendingEntryClaimer claimer;

	private int next;

	/**
	 * @param destination the stream keys and group to read
	 * @param properties the binding's consumer properties
	 * @param connectionFactory the application's (Lettuce) connection factory
	 * @param groupAdmin creates a group again when it disappeared, removes stopped consumers
	 * @param applicationName {@code spring.application.name}, for consumer names; may be null
	 * @param recoveryCallback publishes a failure to the binding's error channel
	 */
	public RedisStreamsPollableMessageSource(RedisStreamConsumerDestination destination,
			ExtendedConsumerProperties<RedisStreamsConsumerProperties> properties,
			RedisConnectionFactory connectionFactory, ConsumerGroupAdmin groupAdmin, String applicationName,
			RecoveryCallback<?> recoveryCallback) {
		this.destination = destination;
		this.properties = properties;
		this.connectionFactory = connectionFactory;
		this.groupAdmin = groupAdmin;
		this.applicationName = applicationName;
		this.recoveryCallback = recoveryCallback;
	}

	/**
	 * @param listener told what happens to the binding's entries
	 */
	public void setListener(ConsumerBindingListener listener) {
		this.listener = listener;
	}

	/**
	 * @return the destination (stream keys and group) this source reads
	 */
	public RedisStreamConsumerDestination getDestination() {
		return this.destination;
	}

	@Override
	public String getComponentType() {
		return "redis-streams:pollable-message-source";
	}

	@Override
	public synchronized void start() {
		if (this.control.isRunning()) {
			return;
		}
		RedisStreamsConsumerProperties redis = this.properties.getExtension();
		List<String> keys = this.destination.getKeys();
		ConsumerNames names = new ConsumerNames(redis.getConsumerName(), this.applicationName,
				this.properties.getInstanceIndex(), keys.size());
		MessageDispatcher failures = new MessageDispatcher(message -> {
			throw new IllegalStateException("A polled consumer hands messages to the handler through poll()");
		}, RetryTemplate.builder().maxAttempts(1).build(), this.recoveryCallback, redis.isEnableDlq(),
				this.listener, this.control::isRunning);
		StreamEntryMessages messages = new StreamEntryMessages(redis.getMaxDeliveries());
		List<PolledStreamConsumer> started = new ArrayList<>(keys.size());
		for (String key : keys) {
			StreamReader reader = new StreamReader(this.connectionFactory, key, this.destination.getGroup(),
					names.next());
			started.add(new PolledStreamConsumer(reader, messages, failures, this.groupAdmin,
					this.destination.getStartPosition(), redis.getReadCount(), this.listener));
		}
		this.consumers = List.copyOf(started);
		this.control.start();
		this.claimer = new PendingEntryClaimer(new PendingEntryCommands(this.connectionFactory), this.groupAdmin,
				this.destination.getGroup(), redis.getClaimIdleTime(), redis.getClaimInterval(),
				redis.getConsumerExpiry(), redis.getReadCount(), this.control, this.listener,
				"redis-claimer-" + this.destination.getName() + "-" + this.destination.getGroup() + "-");
		this.claimer.start(this.consumers);
		logger.info("Started polled consumer(s) of " + this.destination);
	}

	@Override
	public synchronized void stop() {
		if (!this.control.isRunning()) {
			return;
		}
		this.claimer.stop();
		this.claimer = null;
		this.control.stop();
		this.consumers.forEach(PolledStreamConsumer::stop);
		this.consumers = List.of();
		logger.info("Stopped the polled consumer(s) of " + this.destination);
	}

	@Override
	public boolean isRunning() {
		return this.control.isRunning();
	}

	@Override
	protected Object doReceive() {
		StreamEntryAcknowledgment previous = this.lastReceived.get();
		if (previous != null) {
			this.lastReceived.remove();
			previous.requeueIfAbandoned();
		}
		Message<?> message = receiveFromNextKey();
		if (message != null) {
			this.lastReceived.set((StreamEntryAcknowledgment) message.getHeaders()
				.get(IntegrationMessageHeaderAccessor.ACKNOWLEDGMENT_CALLBACK));
		}
		return message;
	}

	/** Each key in turn, starting after the one that delivered last, so that none starves. */
	private synchronized Message<?> receiveFromNextKey() {
		if (!this.control.isRunning()) {
			return null;
		}
		List<PolledStreamConsumer> current = this.consumers;
		for (int i = 0; i < current.size(); i++) {
			int index = (this.next + i) % current.size();
			Message<?> message = current.get(index).receive();
			if (message != null) {
				this.next = index + 1;
				return message;
			}
		}
		return null;
	}

}
