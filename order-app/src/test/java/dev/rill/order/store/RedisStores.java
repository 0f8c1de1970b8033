package dev.rill.order.store;

import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.rill.binder.redis.test.RedisServerExtension;
import dev.rill.order.OrderProperties;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.util.unit.DataSize;

/**
 * The stores on a fixture's Redis, without a Spring context.
 */
public final class RedisStores implements AutoCloseable {

	final LettuceConnectionFactory connectionFactory;

	public final StringRedisTemplate redis;

	public RedisStores(RedisServerExtension server) {
		this.connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(server.host(), server.server().port()));
		this.connectionFactory.afterPropertiesSet();
		this.connectionFactory.start();
		this.redis = new StringRedisTemplate(this.connectionFactory);
	}

	public OrderReadModel readModel(OrderProperties properties) {
		return new OrderReadModel(this.redis, new ObjectMapper().registerModule(new JavaTimeModule()), properties);
	}

	public IdempotencyKeys idempotencyKeys(OrderProperties properties) {
		return new IdempotencyKeys(this.redis, properties);
	}

	public static OrderProperties properties(Duration pendingTtl) {
		return new OrderProperties("order:", Duration.ofHours(24), pendingTtl, Duration.ofDays(7), DataSize.ofKilobytes(128));
	}

	@Override
	public void close() {
		this.connectionFactory.destroy();
	}

}
