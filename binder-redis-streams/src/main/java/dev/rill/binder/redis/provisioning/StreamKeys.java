package dev.rill.binder.redis.provisioning;

import java.util.List;
import java.util.stream.IntStream;

/**
 * How destinations map to stream keys: destination {@code orders} is key
 * {@code <prefix>orders}; partition {@code n} of a partitioned destination is
 * {@code <prefix>orders:n}. Partition keys share no hash tag on purpose, so that in a
 * Redis Cluster the partitions of one destination spread over the shards.
 */
public final class StreamKeys {

	private final String prefix;

	/**
	 * @param prefix the binder-wide key prefix, may be empty
	 */
	public StreamKeys(String prefix) {
		this.prefix = (prefix != null) ? prefix : "";
	}

	/**
	 * @param destination the destination name
	 * @return the key of an unpartitioned destination
	 */
	public String key(String destination) {
		return this.prefix + destination;
	}

	/**
	 * @param destination the destination name
	 * @param partition the partition index
	 * @return the key of one partition of a partitioned destination
	 */
	public String partitionKey(String destination, int partition) {
		return this.prefix + destination + ":" + partition;
	}

	/**
	 * @param destination the destination name
	 * @param partitionCount the number of partitions
	 * @return the keys of every partition, in partition order
	 */
	public List<String> partitionKeys(String destination, int partitionCount) {
		return IntStream.range(0, partitionCount).mapToObj(partition -> partitionKey(destination, partition)).toList();
	}

}
