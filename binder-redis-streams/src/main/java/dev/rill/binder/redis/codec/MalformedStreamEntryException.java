package dev.rill.binder.redis.codec;

/**
 * Thrown when a stream entry cannot be turned into a message, for example an entry
 * written by hand without a {@code payload} field. Such an entry is not retried: it is
 * handed to the binding's error handling (and so to the dead-letter stream when enabled).
 */
public class MalformedStreamEntryException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public MalformedStreamEntryException(String message) {
		super(message);
	}

}
