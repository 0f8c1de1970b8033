package dev.rill.e2e;

import java.time.Duration;

import dev.rill.e2e.platform.Platform;

/**
 * What carries the saga's events in an e2e test class ({@link RedisTransport},
 * {@link RedisClusterTransport}, {@link KafkaTransport}): started before the services and closed
 * after them by {@link SagaPlatform}. It points the services at itself, and knows when every
 * event on it has been handled.
 */
interface SagaTransport extends AutoCloseable {

	/** How often the checks of {@link #awaitDrained} ask the transport. */
	Duration POLL_INTERVAL = Duration.ofMillis(250);

	/**
	 * @return the transport's name, for the oracle line and the correlation ids
	 */
	String name();

	/**
	 * Point the services at this transport, and at the Redis that keeps their state.
	 * @param services the services' settings
	 * @return the same builder
	 */
	Platform.Builder configure(Platform.Builder services);

	/**
	 * Wait until the transport holds no event that a consumer has not handled: every group of the
	 * saga has read and acknowledged (or committed) everything.
	 * @param timeout how long to wait
	 */
	void awaitDrained(Duration timeout);

	/**
	 * Assert that no event was dead-lettered.
	 */
	void assertNoDeadLetters();

	/**
	 * {@link #awaitDrained} and then {@link #assertNoDeadLetters}: what the saga looks like once
	 * it is over.
	 * @param timeout how long to wait for the groups
	 */
	default void awaitIdle(Duration timeout) {
		awaitDrained(timeout);
		assertNoDeadLetters();
	}

	/** Stop the transport (the services are stopped by then). */
	@Override
	void close();

}
