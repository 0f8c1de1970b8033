package dev.rill.e2e;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The saga over the Redis Streams binder, on a private redis-server.
 */
class RedisSagaTests extends SagaTests {

	@RegisterExtension
	static final SagaPlatform<RedisTransport> saga = new SagaPlatform<>(RedisTransport::start);

}
