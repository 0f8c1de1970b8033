package dev.rill.binder.redis.config;

import dev.rill.binder.redis.BindingListeners;
import dev.rill.binder.redis.RedisStreamsMessageChannelBinder;
import dev.rill.binder.redis.health.RedisStreamsBinderHealthIndicator;
import dev.rill.binder.redis.metrics.ConsumerGroupGauges;
import dev.rill.binder.redis.metrics.MicrometerBindingListeners;
import dev.rill.binder.redis.properties.RedisStreamsBinderConfigurationProperties;
import dev.rill.binder.redis.properties.RedisStreamsExtendedBindingProperties;
import dev.rill.binder.redis.provisioning.ConsumerGroupAdmin;
import dev.rill.binder.redis.provisioning.DestinationKeyTypeVerifier;
import dev.rill.binder.redis.provisioning.RedisConnectionVerifier;
import dev.rill.binder.redis.provisioning.RedisStreamsProvisioner;
import dev.rill.binder.redis.provisioning.RedisVersionVerifier;
import dev.rill.binder.redis.provisioning.StreamKeys;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.stream.binder.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The configuration of the {@code redis} binder's own context, named in
 * {@code META-INF/spring.binders}. Spring Cloud Stream creates that context as a child of
 * the application's, so the application's Spring Data Redis connection factory is used
 * when it has one; otherwise Spring Boot's Redis auto-configuration creates one from
 * {@code spring.data.redis.*}.
 * <p>
 * Nothing here is registered in the application context itself: a {@link Binder} bean
 * there would take over every binding and break switching to another binder.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnMissingBean(Binder.class)
@ImportAutoConfiguration(RedisAutoConfiguration.class)
@EnableConfigurationProperties({ RedisStreamsBinderConfigurationProperties.class,
		RedisStreamsExtendedBindingProperties.class })
public class RedisStreamsBinderConfiguration {

	@Bean
	ConsumerGroupAdmin redisStreamsConsumerGroupAdmin(RedisConnectionFactory connectionFactory) {
		return new ConsumerGroupAdmin(connectionFactory);
	}

	@Bean
	RedisStreamsProvisioner redisStreamsProvisioner(RedisStreamsBinderConfigurationProperties binderProperties,
			ConsumerGroupAdmin groupAdmin) {
		return new RedisStreamsProvisioner(new StreamKeys(binderProperties.getKeyPrefix()), groupAdmin);
	}

	/**
	 * Registered before the other startup checks, which skip when Redis cannot be reached:
	 * this one reports why, and fails the start when waiting would not help.
	 */
	@Bean
	RedisConnectionVerifier redisStreamsRedisConnectionVerifier(RedisConnectionFactory connectionFactory,
			RedisStreamsBinderConfigurationProperties binderProperties) {
		return new RedisConnectionVerifier(connectionFactory, binderProperties.isFailFast());
	}

	/**
	 * Registered before the destination check, so that a too old Redis is reported as
	 * such rather than by a later command that it does not know.
	 */
	@Bean
	RedisVersionVerifier redisStreamsRedisVersionVerifier(RedisConnectionFactory connectionFactory) {
		return new RedisVersionVerifier(connectionFactory);
	}

	@Bean
	DestinationKeyTypeVerifier redisStreamsDestinationKeyTypeVerifier(Environment environment,
			RedisStreamsProvisioner provisioner, ConsumerGroupAdmin groupAdmin) {
		return new DestinationKeyTypeVerifier(environment, provisioner, groupAdmin);
	}

	@Bean
	RedisStreamsMessageChannelBinder redisStreamsMessageChannelBinder(
			RedisStreamsBinderConfigurationProperties binderProperties, RedisStreamsProvisioner provisioner,
			RedisConnectionFactory connectionFactory, ConsumerGroupAdmin groupAdmin,
			RedisStreamsExtendedBindingProperties extendedBindingProperties,
			ObjectProvider<BindingListeners> bindingListeners,
			ObjectProvider<ObservationRegistry> observationRegistry) {
		RedisStreamsMessageChannelBinder binder = new RedisStreamsMessageChannelBinder(binderProperties, provisioner,
				connectionFactory, groupAdmin);
		binder.setExtendedBindingProperties(extendedBindingProperties);
		binder.setBindingListeners(bindingListeners.getIfAvailable(() -> BindingListeners.NONE));
		if (binderProperties.isEnableObservation()) {
			binder.setObservationRegistry(observationRegistry.getIfUnique());
		}
		return binder;
	}

	/**
	 * The binder's health contribution, shown under {@code binders.redis} by Spring Cloud
	 * Stream's binders health contributor.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
	@ConditionalOnEnabledHealthIndicator("binders")
	static class HealthConfiguration {

		@Bean
		RedisStreamsBinderHealthIndicator redisStreamsBinderHealthIndicator(RedisStreamsMessageChannelBinder binder,
				RedisConnectionFactory connectionFactory, RedisStreamsBinderConfigurationProperties binderProperties) {
			return new RedisStreamsBinderHealthIndicator(binder, (ReactiveRedisConnectionFactory) connectionFactory,
					binderProperties.getHealthTimeout());
		}

	}

	/**
	 * Micrometer meters per binding, when the application has a {@link MeterRegistry}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
	@ConditionalOnBean(MeterRegistry.class)
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean(BindingListeners.class)
		MicrometerBindingListeners redisStreamsBindingListeners(MeterRegistry registry) {
			return new MicrometerBindingListeners(registry);
		}

		@Bean
		ConsumerGroupGauges redisStreamsConsumerGroupGauges(RedisStreamsMessageChannelBinder binder,
				RedisConnectionFactory connectionFactory, MeterRegistry registry,
				RedisStreamsBinderConfigurationProperties binderProperties) {
			return new ConsumerGroupGauges(binder, connectionFactory, registry,
					binderProperties.getMetricsRefreshInterval());
		}

	}

}
