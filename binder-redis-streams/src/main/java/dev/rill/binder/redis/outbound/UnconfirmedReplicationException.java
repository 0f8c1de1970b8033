package dev.rill.binder.redis.outbound;

import java.time.Duration;

/**
 * Redis wrote an entry on the primary, but fewer replicas than the producer's
 * {@code min-replica-acks} confirmed it within {@code replica-ack-timeout}. The entry
 * exists and will usually reach the replicas later; it is lost if the primary fails
 * before they have it. So the send counts as failed: a sender that needs the entry must
 * send it again (consumers see it twice when both copies survive, which idempotent
 * consumers absorb).
 */
public class UnconfirmedReplicationException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	private final String entryId;

	private final long confirmedBy;

	/**
	 * @param entryId the id of the entry on the primary
	 * @param confirmedBy how many replicas confirmed it
	 * @param required how many had to
	 * @param timeout how long Redis waited for them
	 */
	public UnconfirmedReplicationException(String entryId, long confirmedBy, int required, Duration timeout) {
		super("entry " + entryId + " was written on the primary but confirmed by " + confirmedBy + " of " + required
				+ " replicas within " + timeout.toMillis() + "ms (min-replica-acks); it is lost if the primary "
				+ "fails before a replica has it");
		this.entryId = entryId;
		this.confirmedBy = confirmedBy;
	}

	/**
	 * @return the id of the entry on the primary
	 */
	public String getEntryId() {
		return this.entryId;
	}

	/**
	 * @return how many replicas confirmed it in time
	 */
	public long getConfirmedBy() {
		return this.confirmedBy;
	}

}
