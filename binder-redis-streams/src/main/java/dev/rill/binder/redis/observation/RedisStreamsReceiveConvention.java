package dev.rill.binder.redis.observation;

import dev.rill.binder.redis.observation.RedisStreamsObservation.Keys;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags a {@link RedisStreamsObservation#RECEIVE} observation:
 * {@code rill.redis.streams.receive}, contextual name {@code "<destination> receive"}.
 */
public class RedisStreamsReceiveConvention implements ObservationConvention<RedisStreamsReceiverContext> {

	/** The shared instance. */
	public static final RedisStreamsReceiveConvention INSTANCE = new RedisStreamsReceiveConvention();

	@Override
	public String getName() {
		return "rill.redis.streams.receive";
	}

	@Override
	public String getContextualName(RedisStreamsReceiverContext context) {
		return context.getDestination() + " receive";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(RedisStreamsReceiverContext context) {
		return KeyValues.of(Keys.SYSTEM.withValue("redis_streams"),
				Keys.DESTINATION.withValue(context.getDestination()), Keys.GROUP.withValue(context.getGroup()));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(RedisStreamsReceiverContext context) {
		KeyValues values = KeyValues.empty();
		if (context.getStream() != null) {
			values = values.and(Keys.STREAM.withValue(context.getStream()));
		}
		if (context.getEntryId() != null) {
			values = values.and(Keys.ENTRY_ID.withValue(context.getEntryId()));
		}
		return values;
	}

	@Override
	public boolean supportsContext(Observation.Context context) {
		return context instanceof RedisStreamsReceiverContext;
	}

}
