package dev.rill.binder.redis.inbound;

import java.util.UUID;

import org.springframework.util.StringUtils;

/**
 * Names the consumers of a binding within their group.
 * <p>
 * By default a name is unique to the running instance ({@code <application>-<instance
 * index>-<random>}), so two replicas never share one: a shared name would let one replica
 * redeliver entries the other is still processing. A configured {@code consumer-name} is
 * used as given, so that an instance restarted under the same name finds its own pending
 * entries. When a binding runs several loops (concurrency, or several partitions), each
 * gets the base name plus {@code -<n>}.
 */
final class ConsumerNames {

	private final String base;

	private final boolean several;

	private int next;

	/**
	 * @param configuredName the {@code consumer-name} property, may be null
	 * @param applicationName {@code spring.application.name}, may be null
	 * @param instanceIndex the instance index
	 * @param loops how many consumers the binding runs
	 */
	ConsumerNames(String configuredName, String applicationName, int instanceIndex, int loops) {
		this.base = StringUtils.hasText(configuredName) ? configuredName
				: (StringUtils.hasText(applicationName) ? applicationName : "consumer") + "-"
						+ Math.max(instanceIndex, 0) + "-" + UUID.randomUUID().toString().substring(0, 8);
		this.several = loops > 1;
	}

	synchronized String next() {
		return this.several ? this.base + "-" + this.next++ : this.base;
	}

}
