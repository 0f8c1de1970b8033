package dev.rill.binder.redis.inbound;

import dev.rill.binder.redis.RedisStreamsHeaders;
import dev.rill.binder.redis.observation.RedisStreamsObservation;
import dev.rill.binder.redis.observation.RedisStreamsReceiveConvention;
import dev.rill.binder.redis.observation.RedisStreamsReceiverContext;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.lang.Nullable;
import org.springframework.messaging.Message;

/**
 * Starts the {@link RedisStreamsObservation#RECEIVE} observation in which a consumed
 * message is dispatched (with {@code enable-observation}); {@link #OFF} starts none.
 * <p>
 * The context reads the trace headers of the message, so the handler, run while the
 * observation is current, continues the producer's trace. A batch (batch mode) carries
 * its entries' headers in a list, not as headers of its own: it is observed in a trace of
 * its own.
 */
final class ObservedDispatch {

	/** Observes nothing. */
	static final ObservedDispatch OFF = new ObservedDispatch(null, null, null);

	@Nullable
	private final ObservationRegistry registry;

	private final String destination;

	private final String group;

	/**
	 * @param registry the application's observation registry
	 * @param destination the binding's destination
	 * @param group the consumer group
	 */
	ObservedDispatch(@Nullable ObservationRegistry registry, String destination, String group) {
		this.registry = registry;
		this.destination = destination;
		this.group = group;
	}

	/**
	 * @param message the message about to be dispatched
	 * @return the started observation ({@link Observation#NOOP} when off); the caller
	 * opens its scope around the dispatch and stops it afterwards
	 */
	Observation start(Message<?> message) {
		if (this.registry == null) {
			return Observation.NOOP;
		}
		RedisStreamsReceiverContext context = new RedisStreamsReceiverContext(message, this.destination, this.group,
				header(message, RedisStreamsHeaders.STREAM), header(message, RedisStreamsHeaders.ENTRY_ID));
		return RedisStreamsObservation.RECEIVE
			.observation(null, RedisStreamsReceiveConvention.INSTANCE, () -> context, this.registry)
			.start();
	}

	private static String header(Message<?> message, String name) {
		Object value = message.getHeaders().get(name);
		return (value != null) ? value.toString() : null;
	}

}
