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

	private RedisStreamsHeaders() {
	}

}
