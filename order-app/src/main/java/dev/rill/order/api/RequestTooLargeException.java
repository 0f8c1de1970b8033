package dev.rill.order.api;

import java.io.IOException;

/**
 * A request body is larger than {@code rill.order.max-request-size}: thrown by the body's input
 * stream as soon as that is known (from {@code Content-Length} before the first byte is read,
 * or while a chunked body streams in), so the rest is never read into memory. An
 * {@link IOException}, so that the message converters pass it on like any failed read; the
 * {@link ApiExceptionHandler} answers it with 413.
 */
public class RequestTooLargeException extends IOException {

	private final long limit;

	/**
	 * @param limit the limit in bytes
	 * @param size the declared size, or how far reading got
	 * @param declared whether {@code size} is the {@code Content-Length}
	 */
	public RequestTooLargeException(long limit, long size, boolean declared) {
		super((declared ? "Content-Length " + size : "More than " + limit + " bytes read") + ": the limit is "
				+ limit + " bytes");
		this.limit = limit;
	}

	/**
	 * @return the limit in bytes
	 */
	public long getLimit() {
		return this.limit;
	}

}
