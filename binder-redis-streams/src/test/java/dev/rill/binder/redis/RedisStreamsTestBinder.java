package dev.rill.binder.redis;

import dev.rill.binder.redis.properties.RedisStreamsBinderConfigurationProperties;
import dev.rill.binder.redis.properties.RedisStreamsConsumerProperties;
import dev.rill.binder.redis.properties.RedisStreamsProducerProperties;
import dev.rill.binder.redis.provisioning.ConsumerGroupAdmin;
import dev.rill.binder.redis.provisioning.RedisStreamsProvisioner;
import dev.rill.binder.redis.provisioning.StreamKeys;

import org.springframework.cloud.stream.binder.AbstractTestBinder;
import org.springframework.cloud.stream.binder.ExtendedConsumerProperties;
import org.springframework.cloud.stream.binder.ExtendedProducerProperties;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The binder wired by hand on a private Redis, as Spring Cloud Stream's conformance kit
 * expects: each test gets a fresh binder, and {@link #cleanup()} empties Redis.
 */
class RedisStreamsTestBinder extends
		AbstractTestBinder<RedisStreamsMessageChannelBinder, ExtendedConsumerProperties<RedisStreamsConsumerProperties>, ExtendedProducerProperties<RedisStreamsProducerProperties>> {

	private final LettuceConnectionFactory connectionFactory;

	private final GenericApplicationContext context = new GenericApplicationContext();

	RedisStreamsTestBinder(String host, int port) {
		this.connectionFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port));
		this.connectionFactory.afterPropertiesSet();
		this.connectionFactory.start();
		RedisStreamsBinderConfigurationProperties binderProperties = new RedisStreamsBinderConfigurationProperties();
		ConsumerGroupAdmin groupAdmin = new ConsumerGroupAdmin(this.connectionFactory);
		RedisStreamsProvisioner provisioner = new RedisStreamsProvisioner(new StreamKeys(""), groupAdmin);
		RedisStreamsMessageChannelBinder binder = new RedisStreamsMessageChannelBinder(binderProperties, provisioner,
				this.connectionFactory, groupAdmin);
		this.context.refresh();
		binder.setApplicationContext(this.context);
		setBinder(binder);
	}

	LettuceConnectionFactory connectionFactory() {
		return this.connectionFactory;
	}

	@Override
	public void cleanup() {
		try (var connection = this.connectionFactory.getConnection()) {
			connection.serverCommands().flushAll();
		}
		this.context.close();
		this.connectionFactory.destroy();
	}

}
