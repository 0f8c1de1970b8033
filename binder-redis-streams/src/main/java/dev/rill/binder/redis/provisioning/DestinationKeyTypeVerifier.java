package dev.rill.binder.redis.provisioning;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.bind.handler.IgnoreErrorsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.cloud.stream.binder.ProducerProperties;
import org.springframework.cloud.stream.config.BindingProperties;
import org.springframework.cloud.stream.config.BindingServiceProperties;
import org.springframework.cloud.stream.provisioning.ProvisioningException;
import org.springframework.core.env.Environment;
import org.springframework.dao.DataAccessException;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.util.StringUtils;

/**
 * Fails the start of the application when a destination of a binding served by this
 * binder names a Redis key that holds something other than a stream.
 * <p>
 * Why here: Spring Cloud Stream treats a failure to bind as transient and retries the
 * binding every {@code binding-retry-interval}, with the application running. A key of
 * the wrong type never heals by itself, so it is checked when the binder is created (its
 * context starts on the first binding, outside that retry), and the application does not
 * start, with a {@link StreamKeyTypeException} naming the binding. A Redis that cannot be
 * reached is not reported here: that may heal, and the bindings retry.
 * <p>
 * A binding is served by this binder when its {@code binder} is {@value #BINDER_TYPE}, or
 * when it names none and the default binder is {@value #BINDER_TYPE} or not set. Bindings
 * of binder configurations with other names are checked when they bind.
 */
public class DestinationKeyTypeVerifier implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(DestinationKeyTypeVerifier.class);

	/** The binder type name under which this binder is registered. */
	public static final String BINDER_TYPE = "redis";

	private final Environment environment;

	private final RedisStreamsProvisioner provisioner;

	private final ConsumerGroupAdmin groupAdmin;

	public DestinationKeyTypeVerifier(Environment environment, RedisStreamsProvisioner provisioner,
			ConsumerGroupAdmin groupAdmin) {
		this.environment = environment;
		this.provisioner = provisioner;
		this.groupAdmin = groupAdmin;
	}

	@Override
	public void afterSingletonsInstantiated() {
		BindingServiceProperties streams = bindingServiceProperties();
		Map<String, String> keysToBindings = new LinkedHashMap<>();
		streams.getBindings().forEach((name, binding) -> {
			if (isServedByThisBinder(binding, streams.getDefaultBinder())) {
				keysOf(name, binding).forEach(key -> keysToBindings.putIfAbsent(key, name));
			}
		});
		try {
			keysToBindings.forEach(this::verify);
		}
		catch (DataAccessException ex) {
			logger.info("Could not check the stream keys of the bindings now (" + ex.getMessage()
					+ "); they are checked when the bindings bind");
		}
	}

	/**
	 * The bindings as configured. Bound here rather than taken from the application
	 * context, which the binder's context does not always see. Values that cannot be
	 * bound are skipped: reporting them is Spring Cloud Stream's job, not this check's.
	 */
	private BindingServiceProperties bindingServiceProperties() {
		ApplicationConversionService conversions = new ApplicationConversionService();
		SpelExpressionParser parser = new SpelExpressionParser();
		conversions.addConverter(String.class, Expression.class, parser::parseExpression);
		Binder binder = new Binder(ConfigurationPropertySources.get(this.environment),
				new PropertySourcesPlaceholdersResolver(this.environment),
				conversions, null);
		return binder.bind("spring.cloud.stream", Bindable.of(BindingServiceProperties.class),
				new IgnoreErrorsBindHandler())
			.orElseGet(BindingServiceProperties::new);
	}

	private void verify(String key, String bindingName) {
		try {
			this.groupAdmin.assertStreamOrAbsent(key);
		}
		catch (StreamKeyTypeException ex) {
			throw ex.forBinding(bindingName);
		}
	}

	private List<String> keysOf(String bindingName, BindingProperties binding) {
		String destinations = StringUtils.hasText(binding.getDestination()) ? binding.getDestination() : bindingName;
		List<String> keys = new ArrayList<>();
		for (String destination : StringUtils.commaDelimitedListToStringArray(destinations)) {
			keys.addAll(keysOfDestination(destination.trim(), binding));
		}
		return keys;
	}

	private List<String> keysOfDestination(String destination, BindingProperties binding) {
		try {
			if (binding.getConsumer() != null) {
				return this.provisioner.consumerKeys(destination, binding.getConsumer());
			}
			ProducerProperties producer = (binding.getProducer() != null) ? binding.getProducer()
					: new ProducerProperties();
			return this.provisioner.producerKeys(destination, producer);
		}
		catch (ProvisioningException ex) {
			// Incomplete partitioning settings: the binding reports them when it binds.
			return List.of();
		}
	}

	private static boolean isServedByThisBinder(BindingProperties binding, String defaultBinder) {
		String binder = binding.getBinder();
		if (StringUtils.hasText(binder)) {
			return BINDER_TYPE.equals(binder);
		}
		return !StringUtils.hasText(defaultBinder) || BINDER_TYPE.equals(defaultBinder);
	}

}
