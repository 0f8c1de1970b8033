package dev.rill.binder.redis.outbound;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.rill.binder.redis.observation.RedisStreamsObservation;
import dev.rill.binder.redis.observation.RedisStreamsSendConvention;
import dev.rill.binder.redis.observation.RedisStreamsSenderContext;
import dev.rill.binder.redis.outbound.RedisStreamsMessageHandler.SendListener;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.integration.support.MutableMessage;
import org.springframework.messaging.Message;

/**
 * Wraps each send of a producer binding in a {@link RedisStreamsObservation#SEND}
 * observation (with {@code enable-observation}).
 * <p>
 * The observation starts before the message is encoded, so the tracing handler's
 * propagation headers are in the message that becomes the entry, and it stops when Redis
 * confirmed the entry or the send failed, for asynchronous sends too.
 */
final class ObservedSend {

	private final ObservationRegistry registry;

	private final String destination;

	ObservedSend(ObservationRegistry registry, String destination) {
		this.registry = registry;
		this.destination = destination;
	}

	/**
	 * Start observing one send.
	 * @param message the message to send
	 * @param stream the stream key it goes to
	 * @param listener told about the send's outcome after the observation
	 * @return the send under observation
	 */
	Send start(Message<?> message, String stream, SendListener listener) {
		MutableMessage<?> carrier = new MutableMessage<>(message.getPayload(), message.getHeaders());
		RedisStreamsSenderContext context = new RedisStreamsSenderContext(carrier, this.destination, stream);
		Observation observation = RedisStreamsObservation.SEND
			.observation(null, RedisStreamsSendConvention.INSTANCE, () -> context, this.registry)
			.start();
		return new Send(observation, context, listener);
	}

	/**
	 * One observed send; as a {@link SendListener} it stops the observation with the
	 * outcome, then tells the binding's own listener.
	 */
	static final class Send implements SendListener {

		private final Observation observation;

		private final RedisStreamsSenderContext context;

		private final SendListener next;

		private final AtomicBoolean stopped = new AtomicBoolean();

		private Send(Observation observation, RedisStreamsSenderContext context, SendListener next) {
			this.observation = observation;
			this.context = context;
			this.next = next;
		}

		/**
		 * @return the message to encode: the original with the propagation headers added
		 */
		Message<?> message() {
			return this.context.getCarrier();
		}

		Observation.Scope openScope() {
			return this.observation.openScope();
		}

		@Override
		public void sent(RecordId id) {
			if (id != null) {
				this.context.setEntryId(id.getValue());
			}
			stop(null);
			this.next.sent(id);
		}

		@Override
		public void failed(Throwable error) {
			stop(error);
			this.next.failed(error);
		}

		/**
		 * The send failed before it reached Redis (for example the payload could not be
		 * encoded): stop the observation only; the binding's listener is not told, as
		 * without observation.
		 * @param error why
		 */
		void abandoned(Throwable error) {
			stop(error);
		}

		private void stop(Throwable error) {
			if (this.stopped.compareAndSet(false, true)) {
				if (error != null) {
					this.observation.error(error);
				}
				this.observation.stop();
			}
		}

	}

}
