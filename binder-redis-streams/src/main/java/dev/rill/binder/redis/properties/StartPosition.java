package dev.rill.binder.redis.properties;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Where a newly created consumer group starts reading, parsed from the
 * {@code start-position} consumer property.
 * <p>
 * Accepted values: {@code latest} (only entries added after the group is created),
 * {@code earliest} (everything still in the stream), an entry id such as
 * {@code 1700000000000-0} (entries <em>after</em> that id, as {@code XGROUP CREATE}
 * treats it as the last delivered id) or an ISO-8601 instant such as
 * {@code 2024-05-01T00:00:00Z} (entries added at or after that instant: stream ids start
 * with their creation time in milliseconds).
 */
public final class StartPosition {

	private static final Pattern ENTRY_ID = Pattern.compile("\\d+(-\\d+)?");

	/** The largest sequence number of a stream id, so "millis-1 : max" precedes "millis-0". */
	private static final String MAX_SEQUENCE = Long.toUnsignedString(-1L);

	/** Start with entries added after the group was created. */
	public static final StartPosition LATEST = new StartPosition("latest", "$");

	/** Start with the oldest entry still in the stream. */
	public static final StartPosition EARLIEST = new StartPosition("earliest", "0");

	private final String value;

	private final String lastDeliveredId;

	private StartPosition(String value, String lastDeliveredId) {
		this.value = value;
		this.lastDeliveredId = lastDeliveredId;
	}

	/**
	 * Parse a {@code start-position} value.
	 * @param value the configured value
	 * @return the start position
	 * @throws IllegalArgumentException naming the accepted forms when the value is none of them
	 */
	public static StartPosition parse(String value) {
		String trimmed = (value != null) ? value.trim() : "";
		if (trimmed.equalsIgnoreCase("latest")) {
			return LATEST;
		}
		if (trimmed.equalsIgnoreCase("earliest")) {
			return EARLIEST;
		}
		if (ENTRY_ID.matcher(trimmed).matches()) {
			return new StartPosition(trimmed, trimmed);
		}
		try {
			long millis = Instant.parse(trimmed).toEpochMilli();
			String justBefore = (millis == 0) ? "0" : (millis - 1) + "-" + MAX_SEQUENCE;
			return new StartPosition(trimmed, justBefore);
		}
		catch (DateTimeParseException ex) {
			throw new IllegalArgumentException("'" + value + "' is not a start position: use 'latest', "
					+ "'earliest', an entry id such as '1700000000000-0' or an ISO-8601 instant such as "
					+ "'2024-05-01T00:00:00Z'");
		}
	}

	/**
	 * The id given to {@code XGROUP CREATE}: Redis delivers entries with a greater id.
	 * @return the last-delivered id of a new group starting here
	 */
	public String lastDeliveredId() {
		return this.lastDeliveredId;
	}

	@Override
	public String toString() {
		return this.value;
	}

}
