package dev.rill.binder.redis.inbound;

/**
 * Told what happens to the entries of a consumer binding, for example to count them in
 * metrics. Every method has an empty default.
 */
public interface ConsumerBindingListener {

	/** A listener that ignores everything. */
	ConsumerBindingListener NONE = new ConsumerBindingListener() {
	};

	/**
	 * The handler returned normally.
	 * @param entries how many entries the message carried (more than one in batch mode)
	 */
	default void consumed(int entries) {
	}

	/**
	 * The handler returned or threw, for one message (or one batch in batch mode).
	 * @param nanos how long it ran
	 */
	default void handled(long nanos) {
	}

	/** A failed entry was written to the dead-letter stream. */
	default void deadLettered() {
	}

	/** The handler is run again for an entry that failed. */
	default void retried() {
	}

	/** An entry failed and its recovery did not handle it. */
	default void failed() {
	}

	/**
	 * Entries pending on an idle consumer were claimed for this binding.
	 * @param count how many
	 */
	default void claimed(int count) {
	}

	/**
	 * Pending entries had been deleted from the stream before they were processed.
	 * @param count how many
	 */
	default void trimmed(int count) {
	}

}
