package dev.rill.binder.redis.properties;

import java.time.Duration;

import org.springframework.validation.Errors;

/**
 * Redis-specific settings of a producer binding, bound from
 * {@code spring.cloud.stream.redis.bindings.<binding>.producer.*} with defaults from
 * {@code spring.cloud.stream.redis.default.producer.*}.
 * <p>
 * Trimming is off by default. Either form removes old entries whether or not every
 * consumer group has read them: a group that falls further behind than the retained
 * window loses the trimmed entries.
 */
public class RedisStreamsProducerProperties {

	/**
	 * Approximate maximum number of entries kept in the stream: every XADD carries
	 * {@code MAXLEN ~ max-length}. Unset means no length trimming.
	 */
	private Long maxLength;

	/**
	 * Approximate retention by age: every XADD carries {@code MINID ~ <now - retention>}.
	 * Unset means no age trimming.
	 */
	private Duration retention;

	/**
	 * Whether a send waits until Redis confirmed the XADD, failing the sender when it did
	 * not. Asynchronous sends (the default) report failures to the binding's error channel.
	 */
	private boolean sync;

	/**
	 * How long a synchronous send waits for Redis' confirmation.
	 */
	private Duration sendTimeout = Duration.ofSeconds(5);

	/**
	 * How many replicas must confirm each entry before the send counts as done: after the
	 * XADD the producer sends {@code WAIT <min-replica-acks> <replica-ack-timeout>} on the
	 * same connection, and a send that fewer replicas confirmed in time fails (to the
	 * sender, or the error channel when asynchronous). Redis replicates asynchronously, so
	 * without it an entry the primary confirmed can be lost when a replica that did not
	 * have it yet is promoted. 0 (the default) does not wait. Not supported on Redis
	 * Cluster, where WAIT cannot be routed to the shard that took the entry.
	 */
	private int minReplicaAcks;

	/**
	 * How long a send waits for {@code min-replica-acks} replicas to confirm its entry.
	 */
	private Duration replicaAckTimeout = Duration.ofSeconds(1);

	public Long getMaxLength() {
		return this.maxLength;
	}

	public void setMaxLength(Long maxLength) {
		this.maxLength = maxLength;
	}

	public Duration getRetention() {
		return this.retention;
	}

	public void setRetention(Duration retention) {
		this.retention = retention;
	}

	public boolean isSync() {
		return this.sync;
	}

	public void setSync(boolean sync) {
		this.sync = sync;
	}

	public Duration getSendTimeout() {
		return this.sendTimeout;
	}

	public void setSendTimeout(Duration sendTimeout) {
		this.sendTimeout = sendTimeout;
	}

	public int getMinReplicaAcks() {
		return this.minReplicaAcks;
	}

	public void setMinReplicaAcks(int minReplicaAcks) {
		this.minReplicaAcks = minReplicaAcks;
	}

	public Duration getReplicaAckTimeout() {
		return this.replicaAckTimeout;
	}

	public void setReplicaAckTimeout(Duration replicaAckTimeout) {
		this.replicaAckTimeout = replicaAckTimeout;
	}

	/**
	 * Reject invalid values.
	 * @param errors where rejections are recorded
	 * @param prefix the property prefix of these settings, ending with a dot
	 */
	public void validate(Errors errors, String prefix) {
		PropertyChecks.atLeast(errors, prefix + "max-length", this.maxLength, 1);
		if (this.retention != null) {
			PropertyChecks.positive(errors, prefix + "retention", this.retention);
		}
		if (this.maxLength != null && this.retention != null) {
			// Redis rejects an XADD that carries both MAXLEN and MINID: every send would fail.
			PropertyChecks.reject(errors, prefix + "retention",
					"cannot be combined with max-length (Redis trims by one of them per XADD); choose one");
		}
		PropertyChecks.positive(errors, prefix + "send-timeout", this.sendTimeout);
		PropertyChecks.atLeast(errors, prefix + "min-replica-acks", this.minReplicaAcks, 0);
		PropertyChecks.positive(errors, prefix + "replica-ack-timeout", this.replicaAckTimeout);
	}

}
