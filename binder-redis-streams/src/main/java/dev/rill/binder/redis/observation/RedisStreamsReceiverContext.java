package dev.rill.binder.redis.observation;

import io.micrometer.observation.transport.ReceiverContext;

import org.springframework.messaging.Message;

/**
 * The context of a {@link RedisStreamsObservation#RECEIVE} observation: the tracing
 * handler reads the propagation headers of the consumed message (which the entry carried
 * as fields) and continues the producer's trace.
 */
public class RedisStreamsReceiverContext extends ReceiverContext<Message<?>> {

	private final String destination;

	private final String group;

	private final String stream;

	private final String entryId;

	/**
	 * @param message the consumed message
	 * @param destination the binding's destination
	 * @param group the consumer group
	 * @param stream the stream key read, may be null (batches)
	 * @param entryId the entry id, may be null (batches)
	 */
	public RedisStreamsReceiverContext(Message<?> message, String destination, String group, String stream,
			String entryId) {
		super((carrier, key) -> {
			Object value = carrier.getHeaders().get(key);
			return (value != null) ? value.toString() : null;
		});
		setCarrier(message);
		setRemoteServiceName("redis");
		this.destination = destination;
		this.group = group;
		this.stream = stream;
		this.entryId = entryId;
	}

	public String getDestination() {
		return this.destination;
	}

	public String getGroup() {
		return this.group;
	}

	public String getStream() {
		return this.stream;
	}

	public String getEntryId() {
		return this.entryId;
	}

}
