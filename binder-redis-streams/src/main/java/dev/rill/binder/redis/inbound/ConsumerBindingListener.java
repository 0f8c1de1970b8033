package dev.rill.binder.redis.inbound;

/**
 * Told what happens to the entries of a consumer binding, for example to count them in
 * metrics. Every method has an empty default.
 */
public interface ConsumerBindingListener {

	/** A listener that ignores everything. */
	ConsumerBindingListener NONE = new ConsumerBindingListener() {
	};

	/** An entry was handled (or its failure recovered) and is acknowledged. */
	default void consumed() {
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
