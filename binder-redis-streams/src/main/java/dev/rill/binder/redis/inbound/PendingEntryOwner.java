package dev.rill.binder.redis.inbound;

import java.util.List;

import org.springframework.data.redis.connection.stream.RecordId;

/**
 * One consumer of a binding as the {@link PendingEntryClaimer} sees it: a member of the
 * group on one stream key that holds entries in memory and can be told to read its own
 * pending list again. Implemented by the message-driven {@link StreamConsumerLoop} and by
 * the polled {@link RedisStreamsPollableMessageSource}.
 */
interface PendingEntryOwner {

	/**
	 * @return the reader naming the stream key, group and consumer
	 */
	StreamReader reader();

	/**
	 * The entries this consumer holds in memory right now: read and not yet (all)
	 * acknowledged. Their idle time in Redis must be kept short, or another instance would
	 * take them for a dead consumer's.
	 * @return the ids, possibly including some acknowledged already
	 */
	List<RecordId> heldEntries();

	/**
	 * Read the own pending entries again before the next new read: the claimer moved
	 * entries of a dead consumer into this consumer's pending list.
	 */
	void requestDrain();

}
