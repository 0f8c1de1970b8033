package dev.rill.binder.redis.provisioning;

import java.util.List;

import dev.rill.binder.redis.properties.StartPosition;

import org.springframework.cloud.stream.provisioning.ConsumerDestination;

/**
 * A destination as a consumer binding sees it: the stream keys it reads (all of them, or
 * the partitions of this instance) and the consumer group that reads them.
 */
public final class RedisStreamConsumerDestination implements ConsumerDestination {

	private final String name;

	private final List<String> keys;

	private final String group;

	private final boolean anonymous;

	private final StartPosition startPosition;

	public RedisStreamConsumerDestination(String name, List<String> keys, String group, boolean anonymous,
			StartPosition startPosition) {
		this.name = name;
		this.keys = List.copyOf(keys);
		this.group = group;
		this.anonymous = anonymous;
		this.startPosition = startPosition;
	}

	@Override
	public String getName() {
		return this.name;
	}

	/**
	 * @return the stream keys this binding reads
	 */
	public List<String> getKeys() {
		return this.keys;
	}

	/**
	 * @return the Redis consumer group name (generated for an anonymous binding)
	 */
	public String getGroup() {
		return this.group;
	}

	/**
	 * @return whether the group was generated for an anonymous binding and is removed on unbind
	 */
	public boolean isAnonymous() {
		return this.anonymous;
	}

	/**
	 * @return where the group starts if it has to be (re)created
	 */
	public StartPosition getStartPosition() {
		return this.startPosition;
	}

	@Override
	public String toString() {
		return "destination '" + this.name + "' (streams " + this.keys + ", group '" + this.group + "')";
	}

}
