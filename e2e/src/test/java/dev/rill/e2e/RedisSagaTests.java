package dev.rill.e2e;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.rill.binder.redis.test.RedisServerProcess;
import dev.rill.e2e.platform.Platform;
import dev.rill.e2e.platform.StreamGroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The saga over the Redis Streams binder, on a private redis-server.
 */
class RedisSagaTests extends SagaTests {

	private static RedisServerProcess redis;

	private static Platform platform;

	@BeforeAll
	static void startPlatform() {
		redis = RedisServerProcess.builder().build().start();
		platform = Platform.builder(ROOT)
			.redis(redis.host(), redis.port())
			.logDirectory(output(RedisSagaTests.class))
			.build()
			.start();
	}

	@AfterAll
	static void stopPlatform() {
		if (platform != null) {
			platform.stop();
		}
		if (redis != null) {
			redis.close();
		}
	}

	@Override
	protected Platform platform() {
		return platform;
	}

	@Override
	protected String transport() {
		return "redis";
	}

	@Override
	protected void awaitTransportIdle(Duration timeout) {
		StreamGroups streams = new StreamGroups(redis.host(), redis.port());
		await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(streams::sagaDrained);
		assertThat(streams.keys("*dlq*")).as("dead-letter streams").isEmpty();
	}

}
