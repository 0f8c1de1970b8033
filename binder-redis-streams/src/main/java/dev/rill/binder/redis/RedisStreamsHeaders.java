package dev.rill.binder.redis;

/**
 * Names of the message headers the Redis Streams binder sets on the messages it consumes.
 */
public final class RedisStreamsHeaders {

	/** Prefix of every header this binder sets; such headers are never written to a stream. */
	public static final String PREFIX = "redis_";

	/** The stream key the entry was read from, for example {@code orders:3}. */
	public static final String STREAM = PREFIX + "stream";

	/** The entry id, for example {@code 1700000000000-0}. */
	public static final String ENTRY_ID = PREFIX + "entryId";

	/** The consumer group that read the entry. */
	public static final String GROUP = PREFIX + "group";

	/** The consumer (instance) name within the group that read the entry. */
	public static final String CONSUMER = PREFIX + "consumer";

	/** How many times Redis has delivered the entry to this group, this delivery included. */
	public static final String DELIVERY_COUNT = PREFIX + "deliveryCount";

	/**
	 * In batch mode: the headers of each entry of the batch, in payload order (a
	 * {@code List<Map<String, Object>>}).
	 */
	public static final String BATCH_HEADERS = PREFIX + "batchHeaders";

	/** On a dead letter: the class name of the exception that failed the entry. */
	public static final String EXCEPTION_FQCN = "x-exception-fqcn";

	/** On a dead letter: the message of that exception (of its most specific cause). */
	public static final String EXCEPTION_MESSAGE = "x-exception-message";

	/** On a dead letter: the stack trace of that exception, cut to a bounded length. */
	public static final String EXCEPTION_STACKTRACE = "x-exception-stacktrace";

	/** On a dead letter: the stream key the entry was read from. */
	public static final String ORIGINAL_STREAM = "x-original-stream";

	/** On a dead letter: the id of the entry in its original stream. */
	public static final String ORIGINAL_ENTRY_ID = "x-original-entry-id";

	/** On a dead letter: the consumer group that failed to process the entry. */
	public static final String ORIGINAL_GROUP = "x-original-group";

	/** On a dead letter: the Redis delivery count of the entry when it was dead-lettered. */
	public static final String DELIVERY_COUNT_AT_FAILURE = "x-delivery-count";

	/** On a dead letter: when it was dead-lettered (ISO-8601 instant). */
	public static final String FAILED_AT = "x-failed-at";

	private RedisStreamsHeaders() {
	}

}
