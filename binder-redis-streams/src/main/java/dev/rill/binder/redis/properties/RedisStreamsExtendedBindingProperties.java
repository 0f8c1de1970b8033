package dev.rill.binder.redis.properties;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.cloud.stream.binder.AbstractExtendedBindingProperties;
import org.springframework.cloud.stream.binder.BinderSpecificPropertiesProvider;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * The Redis-specific properties of every binding, bound from
 * {@code spring.cloud.stream.redis.bindings.<binding>.*}; values not set on a binding come
 * from {@code spring.cloud.stream.redis.default.*}.
 * <p>
 * Validates itself so that a wrong value fails startup naming the offending property.
 */
@ConfigurationProperties("spring.cloud.stream.redis")
public class RedisStreamsExtendedBindingProperties extends
		AbstractExtendedBindingProperties<RedisStreamsConsumerProperties, RedisStreamsProducerProperties, RedisStreamsBindingProperties>
		implements Validator {

	private static final String DEFAULTS_PREFIX = "spring.cloud.stream.redis.default";

	/**
	 * Defaults for the Redis-specific consumer and producer settings of every binding
	 * ({@code spring.cloud.stream.redis.default.consumer.*} and {@code .producer.*}).
	 */
	private RedisStreamsBindingProperties defaults = new RedisStreamsBindingProperties();

	@NestedConfigurationProperty
	public RedisStreamsBindingProperties getDefault() {
		return this.defaults;
	}

	public void setDefault(RedisStreamsBindingProperties defaults) {
		this.defaults = defaults;
	}

	@Override
	public String getDefaultsPrefix() {
		return DEFAULTS_PREFIX;
	}

	@Override
	public Class<? extends BinderSpecificPropertiesProvider> getExtendedPropertiesEntryClass() {
		return RedisStreamsBindingProperties.class;
	}

	@Override
	public boolean supports(Class<?> clazz) {
		return RedisStreamsExtendedBindingProperties.class.isAssignableFrom(clazz);
	}

	@Override
	public void validate(Object target, Errors errors) {
		RedisStreamsExtendedBindingProperties properties = (RedisStreamsExtendedBindingProperties) target;
		validate(errors, DEFAULTS_PREFIX + ".", properties.getDefault());
		properties.doGetBindings()
			.forEach((name, binding) -> validate(errors, "spring.cloud.stream.redis.bindings." + name + ".", binding));
	}

	private static void validate(Errors errors, String prefix, RedisStreamsBindingProperties binding) {
		binding.getConsumer().validate(errors, prefix + "consumer.");
		binding.getProducer().validate(errors, prefix + "producer.");
	}

}
