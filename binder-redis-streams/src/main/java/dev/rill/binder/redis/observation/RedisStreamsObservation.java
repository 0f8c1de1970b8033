package dev.rill.binder.redis.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of the Redis Streams binder, made when
 * {@code spring.cloud.stream.redis.binder.enable-observation} is on and the application has
 * an {@link io.micrometer.observation.ObservationRegistry}.
 * <p>
 * Their key values are low-cardinality (destination and group, never an entry id), so the
 * timers derived from them stay small; the entry id is a high-cardinality key value, seen
 * by tracing only.
 */
public enum RedisStreamsObservation implements ObservationDocumentation {

	/**
	 * One message written with {@code XADD}: from the send until Redis confirmed the entry
	 * (or the send failed). Its context writes the trace headers into the message, which the
	 * entry carries as fields.
	 */
	SEND {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return RedisStreamsSendConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return new KeyName[] { Keys.SYSTEM, Keys.DESTINATION };
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return new KeyName[] { Keys.STREAM, Keys.ENTRY_ID };
		}

	},

	/**
	 * The handling of one consumed message: the handler with its retries, and the recovery
	 * (dead letter) when they are used up. Its context reads the trace headers from the
	 * message, so the handler continues the producer's trace.
	 */
	RECEIVE {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return RedisStreamsReceiveConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return new KeyName[] { Keys.SYSTEM, Keys.DESTINATION, Keys.GROUP };
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return new KeyName[] { Keys.STREAM, Keys.ENTRY_ID };
		}

	};

	/** The key names of both observations. */
	public enum Keys implements KeyName {

		/** Always {@code redis_streams}. */
		SYSTEM {
			@Override
			public String asString() {
				return "messaging.system";
			}
		},

		/** The binding's destination, as configured (without key prefix or partition). */
		DESTINATION {
			@Override
			public String asString() {
				return "messaging.destination.name";
			}
		},

		/** The consumer group. */
		GROUP {
			@Override
			public String asString() {
				return "messaging.consumer.group.name";
			}
		},

		/** The stream key written or read (high cardinality: one per partition). */
		STREAM {
			@Override
			public String asString() {
				return "rill.redis.stream";
			}
		},

		/** The entry id (high cardinality). */
		ENTRY_ID {
			@Override
			public String asString() {
				return "messaging.message.id";
			}
		}

	}

}
