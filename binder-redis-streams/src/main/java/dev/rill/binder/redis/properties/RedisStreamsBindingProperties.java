package dev.rill.binder.redis.properties;

import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.cloud.stream.binder.BinderSpecificPropertiesProvider;

/**
 * The Redis-specific properties of one binding: its consumer and producer sides.
 */
public class RedisStreamsBindingProperties implements BinderSpecificPropertiesProvider {

	/**
	 * Redis-specific consumer settings of the binding.
	 */
	@NestedConfigurationProperty
	private RedisStreamsConsumerProperties consumer = new RedisStreamsConsumerProperties();

	/**
	 * Redis-specific producer settings of the binding.
	 */
	@NestedConfigurationProperty
	private RedisStreamsProducerProperties producer = new RedisStreamsProducerProperties();

	@Override
	public RedisStreamsConsumerProperties getConsumer() {
		return this.consumer;
	}

	public void setConsumer(RedisStreamsConsumerProperties consumer) {
		this.consumer = consumer;
	}

	@Override
	public RedisStreamsProducerProperties getProducer() {
		return this.producer;
	}

	public void setProducer(RedisStreamsProducerProperties producer) {
		this.producer = producer;
	}

}
