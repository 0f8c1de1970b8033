package dev.rill.binder.redis.provisioning;

import java.util.List;
import java.util.UUID;

import dev.rill.binder.redis.properties.RedisStreamsConsumerProperties;
import dev.rill.binder.redis.properties.RedisStreamsProducerProperties;
import dev.rill.binder.redis.properties.StartPosition;

import org.springframework.cloud.stream.binder.ConsumerProperties;
import org.springframework.cloud.stream.binder.ExtendedConsumerProperties;
import org.springframework.cloud.stream.binder.ExtendedProducerProperties;
import org.springframework.cloud.stream.binder.ProducerProperties;
import org.springframework.cloud.stream.provisioning.ProvisioningException;
import org.springframework.cloud.stream.provisioning.ProvisioningProvider;
import org.springframework.util.StringUtils;

/**
 * Provisions the streams and consumer groups behind bindings.
 * <p>
 * A producer binding checks that its keys are streams (or absent) and creates the
 * {@code required-groups} before its first send, so that no early message is missed. A
 * consumer binding creates its group on each key it reads; an anonymous binding gets a
 * group of its own, {@code anonymous.<uuid>}, that the binder removes on unbind.
 */
public class RedisStreamsProvisioner implements
		ProvisioningProvider<ExtendedConsumerProperties<RedisStreamsConsumerProperties>, ExtendedProducerProperties<RedisStreamsProducerProperties>> {

	/** The prefix of the groups generated for anonymous consumer bindings. */
	public static final String ANONYMOUS_GROUP_PREFIX = "anonymous.";

	private final StreamKeys streamKeys;

	private final ConsumerGroupAdmin groupAdmin;

	public RedisStreamsProvisioner(StreamKeys streamKeys, ConsumerGroupAdmin groupAdmin) {
		this.streamKeys = streamKeys;
		this.groupAdmin = groupAdmin;
	}

	@Override
	public RedisStreamProducerDestination provisionProducerDestination(String name,
			ExtendedProducerProperties<RedisStreamsProducerProperties> properties) throws ProvisioningException {
		List<String> keys = producerKeys(name, properties);
		keys.forEach(this.groupAdmin::assertStreamOrAbsent);
		for (String requiredGroup : properties.getRequiredGroups()) {
			keys.forEach(key -> this.groupAdmin.createGroupIfAbsent(key, requiredGroup, StartPosition.EARLIEST));
		}
		return new RedisStreamProducerDestination(name, keys, properties.isPartitioned());
	}

	@Override
	public RedisStreamConsumerDestination provisionConsumerDestination(String name, String group,
			ExtendedConsumerProperties<RedisStreamsConsumerProperties> properties) throws ProvisioningException {
		boolean anonymous = !StringUtils.hasText(group);
		String effectiveGroup = anonymous ? ANONYMOUS_GROUP_PREFIX + UUID.randomUUID() : group;
		List<String> keys = consumerKeys(name, properties);
		StartPosition startPosition = startPosition(properties.getExtension(), anonymous);
		keys.forEach(key -> this.groupAdmin.createGroupIfAbsent(key, effectiveGroup, startPosition));
		return new RedisStreamConsumerDestination(name, keys, effectiveGroup, anonymous, startPosition);
	}

	/**
	 * @param name the destination
	 * @param properties the producer binding's properties
	 * @return the stream keys a producer of the destination writes to
	 */
	public List<String> producerKeys(String name, ProducerProperties properties) {
		return properties.isPartitioned() ? this.streamKeys.partitionKeys(name, properties.getPartitionCount())
				: List.of(this.streamKeys.key(name));
	}

	/**
	 * @param name the destination
	 * @param properties the consumer binding's properties
	 * @return the stream keys a consumer of the destination reads
	 * @throws ProvisioningException when a partitioned consumer has no instance index
	 */
	public List<String> consumerKeys(String name, ConsumerProperties properties) {
		return properties.isPartitioned() ? partitionKeysOf(name, properties) : List.of(this.streamKeys.key(name));
	}

	private List<String> partitionKeysOf(String name, ConsumerProperties properties) {
		List<Integer> indexes = properties.getInstanceIndexList();
		int index = properties.getInstanceIndex();
		if (indexes != null && !indexes.isEmpty()) {
			// Spring Cloud Stream binds a consumer once per index of instance-index-list,
			// each time with that index as instance-index: each binding reads its own key.
			// (The whole list applies where the properties come unsplit, as at startup checks.)
			return indexes.contains(index) ? List.of(this.streamKeys.partitionKey(name, index))
					: indexes.stream().map(each -> this.streamKeys.partitionKey(name, each)).toList();
		}
		if (index < 0) {
			throw new ProvisioningException("Binding '" + properties.getBindingName()
					+ "' is partitioned but has no instance-index: set spring.cloud.stream.instance-index "
					+ "or the binding's consumer.instance-index(-list)");
		}
		return List.of(this.streamKeys.partitionKey(name, index));
	}

	private static StartPosition startPosition(RedisStreamsConsumerProperties properties, boolean anonymous) {
		if (properties.getStartPosition() != null) {
			return StartPosition.parse(properties.getStartPosition());
		}
		return anonymous ? StartPosition.LATEST : StartPosition.EARLIEST;
	}

}
