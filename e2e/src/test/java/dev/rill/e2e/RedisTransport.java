package dev.rill.e2e;

import java.time.Duration;

import dev.rill.binder.redis.test.RedisServerProcess;
import dev.rill.e2e.platform.Platform;
import dev.rill.e2e.platform.StreamGroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Redis Streams binder on a private redis-server, which keeps the services' state too.
 * @param redis the redis-server
 */
record RedisTransport(RedisServerProcess redis) implements SagaTransport {

	/**
	 * @return a transport on a redis-server started for it
	 */
	static RedisTransport start() {
		return new RedisTransport(RedisServerProcess.builder().build().start());
	}

	@Override
	public String name() {
		return "redis";
	}

	@Override
	public Platform.Builder configure(Platform.Builder services) {
		return services.redis(this.redis.host(), this.redis.port());
	}

	/**
	 * @return the saga's streams and groups, to read and to move
	 */
	StreamGroups streams() {
		return new StreamGroups(this.redis.host(), this.redis.port());
	}

	@Override
	public void awaitDrained(Duration timeout) {
		StreamGroups streams = streams();
		await().atMost(timeout).pollInterval(POLL_INTERVAL).until(streams::sagaDrained);
	}

	/** No dead-letter stream exists. */
	@Override
	public void assertNoDeadLetters() {
		assertThat(streams().keys("*dlq*")).as("dead-letter streams").isEmpty();
	}

	@Override
	public void close() {
		this.redis.close();
	}

}
