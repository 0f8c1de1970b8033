package dev.rill.binder.redis;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.rill.binder.redis.inbound.DeadLetterPublisher;
import dev.rill.binder.redis.inbound.PolledDeadLetterHandler;
import dev.rill.binder.redis.inbound.RedisStreamsPollableMessageSource;
import dev.rill.binder.redis.inbound.RedisStreamsMessageDrivenChannelAdapter;
import dev.rill.binder.redis.outbound.RedisStreamsMessageHandler;
import dev.rill.binder.redis.properties.RedisStreamsBinderConfigurationProperties;
import dev.rill.binder.redis.properties.RedisStreamsConsumerProperties;
import dev.rill.binder.redis.properties.RedisStreamsExtendedBindingProperties;
import dev.rill.binder.redis.properties.RedisStreamsProducerProperties;
import dev.rill.binder.redis.provisioning.ConsumerGroupAdmin;
import dev.rill.binder.redis.provisioning.RedisStreamConsumerDestination;
import dev.rill.binder.redis.provisioning.RedisStreamProducerDestination;
import dev.rill.binder.redis.provisioning.RedisStreamsProvisioner;
import dev.rill.binder.redis.provisioning.StreamKeys;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.cloud.stream.binder.AbstractMessageChannelBinder;
import org.springframework.cloud.stream.binder.BinderSpecificPropertiesProvider;
import org.springframework.cloud.stream.binder.ExtendedConsumerProperties;
import org.springframework.cloud.stream.binder.ExtendedProducerProperties;
import org.springframework.cloud.stream.binder.ExtendedPropertiesBinder;
import org.springframework.cloud.stream.provisioning.ConsumerDestination;
import org.springframework.cloud.stream.provisioning.ProducerDestination;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.core.MessageProducer;
import org.springframework.lang.Nullable;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandler;
import org.springframework.util.StringUtils;

/**
 * The Spring Cloud Stream binder that carries messages over Redis Streams.
 * <p>
 * A producer binding writes entries with {@code XADD}
 * ({@link RedisStreamsMessageHandler}); a consumer binding reads as a member of a Redis
 * consumer group and acknowledges an entry only after its handler succeeded or its
 * failure was dealt with ({@link RedisStreamsMessageDrivenChannelAdapter}): delivery is
 * at least once. A pollable consumer ({@code PollableMessageSource}) reads one entry per
 * poll with the same acknowledgement and dead-letter rules
 * ({@link RedisStreamsPollableMessageSource}). Streams and groups are provisioned by
 * {@link RedisStreamsProvisioner}.
 * <p>
 * The binder keeps the consumer endpoints it created, for health and metrics, and asks
 * its {@link BindingListeners} for each binding's listener (Micrometer meters by default
 * when there is a {@code MeterRegistry}).
 */
public class RedisStreamsMessageChannelBinder extends
		AbstractMessageChannelBinder<ExtendedConsumerProperties<RedisStreamsConsumerProperties>, ExtendedProducerProperties<RedisStreamsProducerProperties>, RedisStreamsProvisioner>
		implements
		ExtendedPropertiesBinder<MessageChannel, RedisStreamsConsumerProperties, RedisStreamsProducerProperties> {

	/** How long writing a dead letter may take before the original entry is left pending. */
	private static final Duration DEAD_LETTER_WRITE_TIMEOUT = Duration.ofSeconds(5);

	/** How long an unbinding anonymous consumer waits for Redis to remove its group. */
	private static final Duration ANONYMOUS_GROUP_REMOVAL_TIMEOUT = Duration.ofSeconds(2);

	private final RedisStreamsBinderConfigurationProperties binderProperties;

	private final RedisConnectionFactory connectionFactory;

	private final ReactiveRedisConnectionFactory reactiveConnectionFactory;

	private final ConsumerGroupAdmin groupAdmin;

	private final StreamKeys streamKeys;

	private final Set<RedisStreamsMessageDrivenChannelAdapter> consumerEndpoints = ConcurrentHashMap.newKeySet();

	private RedisStreamsExtendedBindingProperties extendedBindingProperties = new RedisStreamsExtendedBindingProperties();

	private BindingListeners bindingListeners = BindingListeners.NONE;

	@Nullable
	private ObservationRegistry observationRegistry;

	/**
	 * @param binderProperties binder-wide settings
	 * @param provisioner provisions streams and groups
	 * @param connectionFactory the application's connection factory; must be Lettuce's,
	 * which is also reactive
	 * @param groupAdmin creates and removes consumer groups
	 */
	public RedisStreamsMessageChannelBinder(RedisStreamsBinderConfigurationProperties binderProperties,
			RedisStreamsProvisioner provisioner, RedisConnectionFactory connectionFactory,
			ConsumerGroupAdmin groupAdmin) {
		super(new String[0], provisioner);
		if (!(connectionFactory instanceof ReactiveRedisConnectionFactory reactive)) {
			throw new IllegalStateException("The Redis Streams binder needs the Lettuce client "
					+ "(spring-boot-starter-data-redis' default), found " + connectionFactory.getClass().getName()
					+ ": remove Jedis or set spring.data.redis.client-type=lettuce");
		}
		this.binderProperties = binderProperties;
		this.connectionFactory = connectionFactory;
		this.reactiveConnectionFactory = reactive;
		this.groupAdmin = groupAdmin;
		this.streamKeys = new StreamKeys(binderProperties.getKeyPrefix());
	}

	/**
	 * @param extendedBindingProperties the Redis-specific properties of every binding
	 */
	public void setExtendedBindingProperties(RedisStreamsExtendedBindingProperties extendedBindingProperties) {
		this.extendedBindingProperties = extendedBindingProperties;
	}

	/**
	 * @param bindingListeners give each binding its listener (metrics)
	 */
	public void setBindingListeners(BindingListeners bindingListeners) {
		this.bindingListeners = bindingListeners;
	}

	/**
	 * @param observationRegistry observe the sends and consumed messages of the bindings
	 * created from now on ({@code enable-observation}); null observes nothing
	 */
	public void setObservationRegistry(@Nullable ObservationRegistry observationRegistry) {
		this.observationRegistry = observationRegistry;
	}

	/**
	 * @return the consumer endpoints of the bindings that are bound now (for health and
	 * metrics)
	 */
	public Collection<RedisStreamsMessageDrivenChannelAdapter> getConsumerEndpoints() {
		return List.copyOf(this.consumerEndpoints);
	}

	@Override
	protected MessageHandler createProducerMessageHandler(ProducerDestination destination,
			ExtendedProducerProperties<RedisStreamsProducerProperties> producerProperties, MessageChannel errorChannel) {
		RedisStreamsMessageHandler handler = new RedisStreamsMessageHandler(this.reactiveConnectionFactory,
				(RedisStreamProducerDestination) destination, producerProperties.getExtension(), errorChannel,
				this.bindingListeners.producer(destination.getName()));
		if (this.observationRegistry != null) {
			handler.setObservationRegistry(this.observationRegistry);
		}
		return handler;
	}

	@Override
	protected MessageProducer createConsumerEndpoint(ConsumerDestination destination, String group,
			ExtendedConsumerProperties<RedisStreamsConsumerProperties> properties) {
		RedisStreamConsumerDestination redisDestination = (RedisStreamConsumerDestination) destination;
		RedisStreamsMessageDrivenChannelAdapter adapter = new RedisStreamsMessageDrivenChannelAdapter(
				redisDestination, properties, this.connectionFactory, this.groupAdmin,
				this.binderProperties.getShutdownTimeout(), applicationName());
		ErrorInfrastructure errorInfrastructure = registerErrorInfrastructure(destination, group, properties);
		adapter.setRetryTemplate(buildRetryTemplate(properties));
		adapter.setRecoveryCallback(errorInfrastructure.getRecoverer());
		adapter.setBeanFactory(getBeanFactory());
		adapter.setBeanName("redis-inbound-" + destination.getName() + "-" + redisDestination.getGroup());
		adapter.setListener(this.bindingListeners.consumer(destination.getName(), redisDestination.getGroup()));
		if (this.observationRegistry != null) {
			adapter.setObservationRegistry(this.observationRegistry);
		}
		if (this.connectionFactory instanceof LettuceConnectionFactory lettuce) {
			adapter.setCommandTimeout(Duration.ofMillis(lettuce.getTimeout()));
		}
		this.consumerEndpoints.add(adapter);
		return adapter;
	}

	/**
	 * With {@code enable-dlq}, failures that exhausted their retries are written to the
	 * dead-letter stream; otherwise the default applies (the failure is rethrown, logged
	 * by the consumer and the entry acknowledged).
	 */
	@Override
	protected MessageHandler getErrorMessageHandler(ConsumerDestination destination, String group,
			ExtendedConsumerProperties<RedisStreamsConsumerProperties> properties) {
		RedisStreamsConsumerProperties redis = properties.getExtension();
		if (!redis.isEnableDlq()) {
			return null;
		}
		String groupName = ((RedisStreamConsumerDestination) destination).getGroup();
		String deadLetterKey = StringUtils.hasText(redis.getDlqName()) ? redis.getDlqName()
				: destination.getName() + "." + groupName + ".dlq";
		return new DeadLetterPublisher(this.reactiveConnectionFactory, this.streamKeys.key(deadLetterKey),
				DEAD_LETTER_WRITE_TIMEOUT, this.bindingListeners.consumer(destination.getName(), groupName));
	}

	@Override
	protected PolledConsumerResources createPolledConsumerResources(String name, String group,
			ConsumerDestination destination, ExtendedConsumerProperties<RedisStreamsConsumerProperties> properties) {
		ErrorInfrastructure errorInfrastructure = registerErrorInfrastructure(destination, group, properties, true);
		RedisStreamConsumerDestination redisDestination = (RedisStreamConsumerDestination) destination;
		RedisStreamsPollableMessageSource source = new RedisStreamsPollableMessageSource(redisDestination, properties,
				this.connectionFactory, this.groupAdmin, applicationName(), errorInfrastructure.getRecoverer());
		source.setListener(this.bindingListeners.consumer(destination.getName(), redisDestination.getGroup()));
		return new PolledConsumerResources(source, errorInfrastructure);
	}

	/**
	 * As for message-driven bindings, but a dead letter that cannot be written makes the
	 * polled source requeue the entry (see {@link PolledDeadLetterHandler}).
	 */
	@Override
	protected MessageHandler getPolledConsumerErrorMessageHandler(ConsumerDestination destination, String group,
			ExtendedConsumerProperties<RedisStreamsConsumerProperties> properties) {
		MessageHandler deadLetters = getErrorMessageHandler(destination, group, properties);
		return (deadLetters != null) ? new PolledDeadLetterHandler(deadLetters) : null;
	}

	@Override
	protected void afterUnbindConsumer(ConsumerDestination destination, String group,
			ExtendedConsumerProperties<RedisStreamsConsumerProperties> consumerProperties) {
		RedisStreamConsumerDestination redisDestination = (RedisStreamConsumerDestination) destination;
		this.consumerEndpoints.removeIf(endpoint -> endpoint.getDestination() == redisDestination);
		if (redisDestination.isAnonymous()) {
			redisDestination.getKeys()
				.forEach(key -> this.groupAdmin.destroyGroup(key, redisDestination.getGroup(),
						ANONYMOUS_GROUP_REMOVAL_TIMEOUT));
		}
	}

	private String applicationName() {
		return getApplicationContext().getEnvironment().getProperty("spring.application.name");
	}

	@Override
	public RedisStreamsConsumerProperties getExtendedConsumerProperties(String channelName) {
		return this.extendedBindingProperties.getExtendedConsumerProperties(channelName);
	}

	@Override
	public RedisStreamsProducerProperties getExtendedProducerProperties(String channelName) {
		return this.extendedBindingProperties.getExtendedProducerProperties(channelName);
	}

	@Override
	public String getDefaultsPrefix() {
		return this.extendedBindingProperties.getDefaultsPrefix();
	}

	@Override
	public Class<? extends BinderSpecificPropertiesProvider> getExtendedPropertiesEntryClass() {
		return this.extendedBindingProperties.getExtendedPropertiesEntryClass();
	}

}
