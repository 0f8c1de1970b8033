package dev.rill.order.api;

import java.io.IOException;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;

/**
 * A request body that ends in a {@link RequestTooLargeException} instead of being read past its
 * limit. A {@code Content-Length} over the limit fails the first read, before a byte is taken;
 * a body without one (chunked) fails as soon as one byte more than the limit has arrived, so at
 * most the limit is ever buffered by whoever reads it.
 */
final class SizeLimitedInputStream extends ServletInputStream {

	private final ServletInputStream body;

	private final long limit;

	private final long declaredLength;

	private long read;

	/**
	 * @param body the request's stream
	 * @param limit the most bytes a body may have
	 * @param declaredLength the request's {@code Content-Length}, -1 when it has none
	 */
	SizeLimitedInputStream(ServletInputStream body, long limit, long declaredLength) {
		this.body = body;
		this.limit = limit;
		this.declaredLength = declaredLength;
	}

	@Override
	public int read() throws IOException {
		checkDeclaredLength();
		int next = this.body.read();
		if (next >= 0) {
			count(1);
		}
		return next;
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		checkDeclaredLength();
		if (length == 0) {
			return 0;
		}
		// Never ask for more than one byte past the limit: that byte is enough to refuse.
		int wanted = (int) Math.min(length, this.limit - this.read + 1);
		int count = this.body.read(buffer, offset, wanted);
		if (count > 0) {
			count(count);
		}
		return count;
	}

	private void checkDeclaredLength() throws RequestTooLargeException {
		if (this.declaredLength > this.limit) {
			throw new RequestTooLargeException(this.limit, this.declaredLength, true);
		}
	}

	private void count(int bytes) throws RequestTooLargeException {
		this.read += bytes;
		if (this.read > this.limit) {
			throw new RequestTooLargeException(this.limit, this.read, false);
		}
	}

	@Override
	public void close() throws IOException {
		this.body.close();
	}

	@Override
	public boolean isFinished() {
		return this.body.isFinished();
	}

	@Override
	public boolean isReady() {
		return this.body.isReady();
	}

	@Override
	public void setReadListener(ReadListener listener) {
		this.body.setReadListener(listener);
	}

}
