package dev.rill.binder.redis.inbound;

import java.time.Instant;

import org.springframework.lang.Nullable;

/**
 * What one consumer of a binding (one stream key and concurrency slot) is doing, as
 * reported by health.
 * @param stream the stream key it reads
 * @param group the consumer group
 * @param consumer its consumer name in the group
 * @param alive whether its thread runs
 * @param createdAt when the consumer was created
 * @param lastSuccessfulRead when a read last returned (with or without entries); null
 * before the first
 * @param lastFailure the last read failure, null if none since it last read successfully
 */
public record ConsumerState(String stream, String group, String consumer, boolean alive, Instant createdAt,
		@Nullable Instant lastSuccessfulRead, @Nullable String lastFailure) {
}
