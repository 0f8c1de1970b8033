package dev.rill.binder.redis.endpoint;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Registers the {@code redisstreams} endpoint in the application context, where Spring
 * Boot Actuator discovers endpoints (the binder's own context is a child that it does not
 * look into). Only when Actuator is on the classpath and the endpoint is available, that
 * is exposed ({@code management.endpoints.web.exposure.include=redisstreams}, or over
 * JMX) and not switched off: by default it is not.
 * <p>
 * It needs the application's {@link RedisConnectionFactory} (one, or a primary one) and
 * reads the binder's
 * {@code spring.cloud.stream.redis.binder.key-prefix} from the environment itself.
 */
@AutoConfiguration(after = RedisAutoConfiguration.class)
@ConditionalOnClass(name = { "org.springframework.boot.actuate.endpoint.annotation.Endpoint",
		"org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint" })
public class RedisStreamsEndpointAutoConfiguration {

	/** The property naming the binder's key prefix. */
	static final String KEY_PREFIX_PROPERTY = "spring.cloud.stream.redis.binder.key-prefix";

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnAvailableEndpoint(endpoint = RedisStreamsEndpoint.class)
	@ConditionalOnSingleCandidate(RedisConnectionFactory.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RedisStreamsEndpoint redisStreamsEndpoint(RedisConnectionFactory connectionFactory, Environment environment) {
			String keyPrefix = Binder.get(environment).bind(KEY_PREFIX_PROPERTY, String.class).orElse("");
			return new RedisStreamsEndpoint(connectionFactory, keyPrefix);
		}

	}

}
