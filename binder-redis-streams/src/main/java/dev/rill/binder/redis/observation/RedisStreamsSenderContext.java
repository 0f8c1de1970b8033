package dev.rill.binder.redis.observation;

import io.micrometer.observation.transport.SenderContext;

import org.springframework.integration.support.MutableMessage;

/**
 * The context of a {@link RedisStreamsObservation#SEND} observation. Its carrier is a
 * mutable copy of the message being sent: the tracing handler writes the propagation
 * headers ({@code traceparent}, {@code tracestate}, baggage) into it when the observation
 * starts, and that copy is what is encoded into the entry's fields.
 */
public class RedisStreamsSenderContext extends SenderContext<MutableMessage<?>> {

	private final String destination;

	private final String stream;

	private volatile String entryId;

	/**
	 * @param message the copy of the message that is sent
	 * @param destination the binding's destination
	 * @param stream the stream key written
	 */
	public RedisStreamsSenderContext(MutableMessage<?> message, String destination, String stream) {
		super((carrier, key, value) -> carrier.getHeaders().put(key, value));
		setCarrier(message);
		setRemoteServiceName("redis");
		this.destination = destination;
		this.stream = stream;
	}

	public String getDestination() {
		return this.destination;
	}

	public String getStream() {
		return this.stream;
	}

	/**
	 * @return the id Redis gave the entry, once it confirmed the write; otherwise null
	 */
	public String getEntryId() {
		return this.entryId;
	}

	/**
	 * @param entryId the id Redis gave the entry
	 */
	public void setEntryId(String entryId) {
		this.entryId = entryId;
	}

}
