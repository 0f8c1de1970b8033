package dev.rill.binder.redis.provisioning;

import java.util.List;

import org.springframework.cloud.stream.provisioning.ProducerDestination;

/**
 * A destination as a producer sees it: its name and the stream keys it writes to, one
 * per partition (a single key when unpartitioned).
 */
public final class RedisStreamProducerDestination implements ProducerDestination {

	private final String name;

	private final List<String> keys;

	private final boolean partitioned;

	public RedisStreamProducerDestination(String name, List<String> keys, boolean partitioned) {
		this.name = name;
		this.keys = List.copyOf(keys);
		this.partitioned = partitioned;
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public String getNameForPartition(int partition) {
		return this.keys.get(partition);
	}

	/**
	 * @return the stream keys written to, in partition order
	 */
	public List<String> getKeys() {
		return this.keys;
	}

	/**
	 * @return whether messages are routed to a key by their partition header
	 */
	public boolean isPartitioned() {
		return this.partitioned;
	}

	@Override
	public String toString() {
		return "destination '" + this.name + "' (streams " + this.keys + ")";
	}

}
