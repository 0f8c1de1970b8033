package dev.rill.binder.redis.properties;

import java.time.Duration;

import org.springframework.validation.Errors;

/**
 * Redis-specific settings of a consumer binding, bound from
 * {@code spring.cloud.stream.redis.bindings.<binding>.consumer.*} with defaults from
 * {@code spring.cloud.stream.redis.default.consumer.*}.
 * <p>
 * Core settings such as {@code concurrency}, {@code batch-mode}, {@code max-attempts} and
 * {@code partitioned} keep their Spring Cloud Stream meaning and live under
 * {@code spring.cloud.stream.bindings.<binding>.consumer.*}.
 */
public class RedisStreamsConsumerProperties {

	/**
	 * Where a newly created consumer group starts: {@code latest}, {@code earliest}, an
	 * entry id (the group starts after it) or an ISO-8601 instant. Applies only when the
	 * group does not exist yet. Unset means {@code earliest} for a named group and
	 * {@code latest} for an anonymous one.
	 */
	private String startPosition;

	/**
	 * Maximum number of entries one XREADGROUP fetches.
	 */
	private int readCount = 100;

	/**
	 * How long one XREADGROUP blocks waiting for new entries. Keep it below the Redis
	 * client's command timeout ({@code spring.data.redis.timeout}).
	 */
	private Duration blockTime = Duration.ofSeconds(2);

	/**
	 * Idle time after which an entry pending on another consumer of the group may be
	 * claimed by this one (used by the reclaim of a dead consumer's work).
	 */
	private Duration claimIdleTime = Duration.ofMinutes(1);

	/**
	 * How often the binding looks for entries to claim from dead consumers.
	 */
	private Duration claimInterval = Duration.ofSeconds(10);

	/**
	 * How long a consumer of the group (of any instance) may stay idle with nothing
	 * pending before the claimer removes it from the group. Redis before 7.2 counts a
	 * consumer as idle from the last read that delivered entries, so a live consumer of a
	 * quiet stream looks idle too: keep this long (it is recreated by its next delivery).
	 */
	private Duration consumerExpiry = Duration.ofHours(1);

	/**
	 * Redis delivery count after which an entry is dead-lettered without another try
	 * (protects against an entry that crashes the process every time).
	 */
	private int maxDeliveries = 10;

	/**
	 * Whether entries that exhausted their retries are written to a dead-letter stream.
	 */
	private boolean enableDlq;

	/**
	 * Name of the dead-letter stream; defaults to {@code <destination>.<group>.dlq}.
	 */
	private String dlqName;

	/**
	 * How many successfully handled entries one XACK may carry; defaults to
	 * {@code read-count} and may not exceed it. Entries are acknowledged at the latest
	 * when the batch read with them has been handled.
	 */
	private Integer ackBatchSize;

	/**
	 * Name of this instance within the consumer group. Unset (recommended) means a name
	 * unique to the running instance: application name, instance index and a random
	 * suffix. Set it to a name that is stable across restarts of one instance (for
	 * example a StatefulSet pod name) to have a restarted instance drain its own pending
	 * entries at once instead of waiting for {@code claim-idle-time}. Never give two
	 * running instances the same name.
	 */
	private String consumerName;

	public String getStartPosition() {
		return this.startPosition;
	}

	public void setStartPosition(String startPosition) {
		this.startPosition = startPosition;
	}

	public int getReadCount() {
		return this.readCount;
	}

	public void setReadCount(int readCount) {
		this.readCount = readCount;
	}

	public Duration getBlockTime() {
		return this.blockTime;
	}

	public void setBlockTime(Duration blockTime) {
		this.blockTime = blockTime;
	}

	public Duration getClaimIdleTime() {
		return this.claimIdleTime;
	}

	public void setClaimIdleTime(Duration claimIdleTime) {
		this.claimIdleTime = claimIdleTime;
	}

	public Duration getClaimInterval() {
		return this.claimInterval;
	}

	public void setClaimInterval(Duration claimInterval) {
		this.claimInterval = claimInterval;
	}

	public Duration getConsumerExpiry() {
		return this.consumerExpiry;
	}

	public void setConsumerExpiry(Duration consumerExpiry) {
		this.consumerExpiry = consumerExpiry;
	}

	public int getMaxDeliveries() {
		return this.maxDeliveries;
	}

	public void setMaxDeliveries(int maxDeliveries) {
		this.maxDeliveries = maxDeliveries;
	}

	public boolean isEnableDlq() {
		return this.enableDlq;
	}

	public void setEnableDlq(boolean enableDlq) {
		this.enableDlq = enableDlq;
	}

	public String getDlqName() {
		return this.dlqName;
	}

	public void setDlqName(String dlqName) {
		this.dlqName = dlqName;
	}

	public Integer getAckBatchSize() {
		return this.ackBatchSize;
	}

	public void setAckBatchSize(Integer ackBatchSize) {
		this.ackBatchSize = ackBatchSize;
	}

	/**
	 * The effective XACK batch size: {@code ack-batch-size} when set, else {@code read-count}.
	 * @return the number of entries one XACK carries at most
	 */
	public int effectiveAckBatchSize() {
		return (this.ackBatchSize != null) ? this.ackBatchSize : this.readCount;
	}

	public String getConsumerName() {
		return this.consumerName;
	}

	public void setConsumerName(String consumerName) {
		this.consumerName = consumerName;
	}

	/**
	 * Reject invalid values.
	 * @param errors where rejections are recorded
	 * @param prefix the property prefix of these settings, ending with a dot
	 */
	public void validate(Errors errors, String prefix) {
		if (this.startPosition != null) {
			try {
				StartPosition.parse(this.startPosition);
			}
			catch (IllegalArgumentException ex) {
				PropertyChecks.reject(errors, prefix + "start-position", ex.getMessage());
			}
		}
		PropertyChecks.atLeast(errors, prefix + "read-count", this.readCount, 1);
		PropertyChecks.notNegative(errors, prefix + "block-time", this.blockTime);
		PropertyChecks.positive(errors, prefix + "claim-idle-time", this.claimIdleTime);
		PropertyChecks.positive(errors, prefix + "claim-interval", this.claimInterval);
		PropertyChecks.positive(errors, prefix + "consumer-expiry", this.consumerExpiry);
		PropertyChecks.atLeast(errors, prefix + "max-deliveries", this.maxDeliveries, 1);
		PropertyChecks.atLeast(errors, prefix + "ack-batch-size", this.ackBatchSize, 1);
		if (this.ackBatchSize != null && this.ackBatchSize > this.readCount) {
			PropertyChecks.reject(errors, prefix + "ack-batch-size",
					"must not exceed read-count (" + this.readCount + "), was " + this.ackBatchSize);
		}
	}

}
