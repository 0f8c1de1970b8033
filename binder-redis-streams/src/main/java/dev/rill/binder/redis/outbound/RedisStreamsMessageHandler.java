package dev.rill.binder.redis.outbound;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.rill.binder.redis.codec.StreamEntryEncoder;
import dev.rill.binder.redis.properties.RedisStreamsProducerProperties;
import dev.rill.binder.redis.provisioning.RedisStreamProducerDestination;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.XAddArgs;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.cloud.stream.binder.BinderHeaders;
import org.springframework.context.Lifecycle;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.integration.handler.AbstractMessageHandler;
import org.springframework.lang.Nullable;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageDeliveryException;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.support.ErrorMessage;

/**
 * Writes messages to a stream with {@code XADD}.
 * <p>
 * Sends go through Lettuce's asynchronous API on a connection of the binding's own
 * ({@link StreamAppender}), which pipelines the commands of concurrent and asynchronous
 * senders instead of paying one round trip per message. A {@code sync} binding waits up to {@code send-timeout} for Redis' reply and
 * throws when the entry was not written; an asynchronous binding returns at once and
 * reports a failed write to the binding's error channel (or logs it when the binding has
 * none). Either way a message is only counted as sent once Redis returned its entry id.
 * <p>
 * Stopping waits, up to the send timeout, for the replies of asynchronous sends still in
 * flight, so a graceful shutdown does not drop them.
 * <p>
 * With an {@link #setObservationRegistry observation registry} each send is observed
 * ({@link ObservedSend}), and the trace headers travel in the entry.
 */
public class RedisStreamsMessageHandler extends AbstractMessageHandler implements Lifecycle {

	private final ReactiveRedisConnectionFactory connectionFactory;

	private final RedisStreamProducerDestination destination;

	private final RedisStreamsProducerProperties properties;

	private final List<byte[]> keys;

	private final StreamEntryEncoder encoder = new StreamEntryEncoder();

	@Nullable
	private final MessageChannel sendFailureChannel;

	private final InFlightSends inFlight = new InFlightSends();

	private final SendListener sendListener;

	@Nullable
	private ObservedSend observedSend;

	private volatile StreamAppender appender;

	private volatile boolean running;

	/**
	 * @param connectionFactory the application's (Lettuce) connection factory
	 * @param destination the provisioned destination
	 * @param properties the producer's Redis settings
	 * @param sendFailureChannel where failed asynchronous sends are reported, may be null
	 * @param sendListener told about every send's outcome (metrics)
	 */
	public RedisStreamsMessageHandler(ReactiveRedisConnectionFactory connectionFactory,
			RedisStreamProducerDestination destination, RedisStreamsProducerProperties properties,
			@Nullable MessageChannel sendFailureChannel, SendListener sendListener) {
		this.connectionFactory = connectionFactory;
		this.destination = destination;
		this.properties = properties;
		this.sendFailureChannel = sendFailureChannel;
		this.sendListener = sendListener;
		if (properties.getMinReplicaAcks() > 0 && connectionFactory instanceof LettuceConnectionFactory lettuce
				&& lettuce.isClusterAware()) {
			throw new IllegalStateException("min-replica-acks is not supported on Redis Cluster (the producer of "
					+ destination + "): WAIT cannot be sent to the shard that took each entry");
		}
		this.keys = destination.getKeys()
			.stream()
			.map(key -> key.getBytes(StandardCharsets.UTF_8))
			.toList();
	}

	/**
	 * Observe every send (binder property {@code enable-observation}); call before the
	 * handler is used.
	 * @param registry the application's observation registry
	 */
	public void setObservationRegistry(ObservationRegistry registry) {
		this.observedSend = new ObservedSend(registry, this.destination.getName());
	}

	@Override
	public synchronized void start() {
		if (!this.running) {
			this.appender = StreamAppender.open(this.connectionFactory);
			this.running = true;
		}
	}

	@Override
	public synchronized void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		awaitInFlightSends();
		this.appender.close();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	protected void handleMessageInternal(Message<?> message) {
		if (!this.running) {
			throw new MessageDeliveryException(message,
					"The producer of " + this.destination + " is stopped; the message was not sent");
		}
		int partition = partitionOf(message);
		if (this.observedSend == null) {
			send(message, partition, this.sendListener);
			return;
		}
		ObservedSend.Send observed = this.observedSend.start(message, streamName(partition), this.sendListener);
		try (Observation.Scope scope = observed.openScope()) {
			send(observed.message(), partition, observed);
		}
		catch (RuntimeException ex) {
			observed.abandoned(ex);
			throw ex;
		}
	}

	private void send(Message<?> message, int partition, SendListener listener) {
		byte[][] fields = this.encoder.encodeFields(message);
		boolean sync = this.properties.isSync();
		RedisFuture<String> xadd = this.appender.append(this.keys.get(partition), trimming(), fields, sync);
		CompletableFuture<String> send = xadd.toCompletableFuture();
		if (this.properties.getMinReplicaAcks() > 0) {
			send = confirmedByReplicas(send, sync);
		}
		if (sync) {
			sendAndWait(message, partition, send, listener, xadd);
		}
		else {
			sendAsync(message, partition, send, listener);
		}
	}

	/**
	 * A {@code WAIT} right behind the {@code XADD}, on the same connection: the send
	 * completes once enough replicas have the entry, and fails when fewer confirmed it in
	 * time (the entry is on the primary then, but could be lost with it).
	 */
	private CompletableFuture<String> confirmedByReplicas(CompletableFuture<String> written, boolean now) {
		int required = this.properties.getMinReplicaAcks();
		Duration timeout = this.properties.getReplicaAckTimeout();
		RedisFuture<Long> confirmed = this.appender.awaitReplicas(required, timeout, now);
		return written.thenCombine(confirmed, (id, replicas) -> {
			if (replicas < required) {
				throw new UnconfirmedReplicationException(id, replicas, required, timeout);
			}
			return id;
		});
	}

	/**
	 * The one place where a synchronous send completes, or fails. A send that times out
	 * cancels its {@code XADD}: Lettuce then does not write it if it still holds it (for
	 * example queued for a reconnection), so a sender told "failed" does not find it written
	 * minutes later; one already written stays written (the outcome of a timeout is unknown).
	 */
	private void sendAndWait(Message<?> message, int partition, CompletableFuture<String> send,
			SendListener listener, RedisFuture<String> xadd) {
		Duration timeout = this.properties.getSendTimeout();
		if (this.properties.getMinReplicaAcks() > 0) {
			timeout = timeout.plus(this.properties.getReplicaAckTimeout());
		}
		try {
			String id = send.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
			listener.sent(RecordId.of(id));
		}
		catch (TimeoutException ex) {
			xadd.cancel(false);
			throw failedSend(message, partition, "no confirmation within " + timeout, ex, listener);
		}
		catch (ExecutionException ex) {
			Throwable cause = translated(ex.getCause());
			throw failedSend(message, partition, reason(cause), cause, listener);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw failedSend(message, partition, "interrupted while waiting for the confirmation", ex, listener);
		}
	}

	private MessageDeliveryException failedSend(Message<?> message, int partition, String reason, Throwable cause,
			SendListener listener) {
		listener.failed(cause);
		return new MessageDeliveryException(message,
				"Failed to send to stream '" + streamName(partition) + "': " + reason, cause);
	}

	private void sendAsync(Message<?> message, int partition, CompletableFuture<String> send,
			SendListener listener) {
		this.inFlight.started();
		send.whenComplete((id, ex) -> {
			try {
				if (ex == null) {
					listener.sent(RecordId.of(id));
				}
				else {
					reportFailedSend(message, partition, translated(ex), listener);
				}
			}
			finally {
				this.inFlight.finished();
			}
		});
	}

	/** What Redis or Lettuce said, not the translation's generic "Error in execution". */
	private static String reason(Throwable failure) {
		return String.valueOf(NestedExceptionUtils.getMostSpecificCause(failure).getMessage());
	}

	/**
	 * Lettuce's exceptions as Spring's {@code DataAccessException}s, as Spring Data Redis
	 * reports them, so that callers can tell an outage from a bad request.
	 */
	private Throwable translated(Throwable ex) {
		Throwable cause = (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
		if (cause instanceof RuntimeException runtime) {
			Throwable translated = this.connectionFactory.translateExceptionIfPossible(runtime);
			return (translated != null) ? translated : cause;
		}
		return cause;
	}

	private void reportFailedSend(Message<?> message, int partition, Throwable ex, SendListener listener) {
		listener.failed(ex);
		MessagingException failure = new MessageDeliveryException(message,
				"Failed to send to stream '" + streamName(partition) + "': " + reason(ex), ex);
		if (this.sendFailureChannel != null) {
			this.sendFailureChannel.send(new ErrorMessage(failure));
		}
		else {
			logger.error(failure, "Asynchronous send failed and the binding has no error channel "
					+ "(set error-channel-enabled to handle it)");
		}
	}

	private int partitionOf(Message<?> message) {
		if (!this.destination.isPartitioned()) {
			return 0;
		}
		Object header = message.getHeaders().get(BinderHeaders.PARTITION_HEADER);
		if (!(header instanceof Number number) || number.intValue() < 0
				|| number.intValue() >= this.keys.size()) {
			throw new MessageDeliveryException(message, "Partitioned " + this.destination + " needs header '"
					+ BinderHeaders.PARTITION_HEADER + "' between 0 and " + (this.keys.size() - 1) + ", got " + header);
		}
		return number.intValue();
	}

	private XAddArgs trimming() {
		XAddArgs args = new XAddArgs();
		if (this.properties.getMaxLength() != null) {
			args.maxlen(this.properties.getMaxLength()).approximateTrimming();
		}
		if (this.properties.getRetention() != null) {
			long oldestKept = Instant.now().minus(this.properties.getRetention()).toEpochMilli();
			args.minId(oldestKept + "-0").approximateTrimming();
		}
		return args;
	}

	private void awaitInFlightSends() {
		try {
			if (!this.inFlight.awaitNone(this.properties.getSendTimeout())) {
				logger.warn("Stopped the producer of " + this.destination + " with " + this.inFlight.current()
						+ " asynchronous sends unconfirmed after " + this.properties.getSendTimeout()
						+ "; their failures, if any, go to the error channel");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private String streamName(int partition) {
		return this.destination.getKeys().get(partition);
	}

	/**
	 * Told about the outcome of every send, for example to count them.
	 */
	public interface SendListener {

		/** A listener that ignores everything. */
		SendListener NONE = new SendListener() {
		};

		/**
		 * Redis accepted an entry.
		 * @param id the entry's id
		 */
		default void sent(RecordId id) {
		}

		/**
		 * A send failed.
		 * @param error why
		 */
		default void failed(Throwable error) {
		}

	}

}
