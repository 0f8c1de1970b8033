package dev.rill.binder.redis.observation;

import dev.rill.binder.redis.observation.RedisStreamsObservation.Keys;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags a {@link RedisStreamsObservation#SEND} observation:
 * {@code rill.redis.streams.send}, contextual name {@code "<destination> send"}.
 */
public class RedisStreamsSendConvention implements ObservationConvention<RedisStreamsSenderContext> {

	/** The shared instance. */
	public static final RedisStreamsSendConvention INSTANCE = new RedisStreamsSendConvention();

	@Override
	public String getName() {
		return "rill.redis.streams.send";
	}

	@Override
	public String getContextualName(RedisStreamsSenderContext context) {
		return context.getDestination() + " send";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(RedisStreamsSenderContext context) {
		return KeyValues.of(Keys.SYSTEM.withValue("redis_streams"),
				Keys.DESTINATION.withValue(context.getDestination()));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(RedisStreamsSenderContext context) {
		KeyValues values = KeyValues.of(Keys.STREAM.withValue(context.getStream()));
		return (context.getEntryId() != null) ? values.and(Keys.ENTRY_ID.withValue(context.getEntryId())) : values;
	}

	@Override
	public boolean supportsContext(Observation.Context context) {
		return context instanceof RedisStreamsSenderContext;
	}

}
