package dev.rill.binder.redis.outbound;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts asynchronous sends whose reply has not arrived yet, so that a stopping producer
 * can wait for them. Unbounded, unlike a {@link java.util.concurrent.Phaser}, whose 65535
 * parties a fast asynchronous producer would exceed.
 */
final class InFlightSends {

	private final AtomicLong count = new AtomicLong();

	private final Object monitor = new Object();

	void started() {
		this.count.incrementAndGet();
	}

	void finished() {
		if (this.count.decrementAndGet() == 0) {
			synchronized (this.monitor) {
				this.monitor.notifyAll();
			}
		}
	}

	/**
	 * Wait until no send is in flight.
	 * @param timeout the longest wait
	 * @return whether every send finished in time
	 */
	boolean awaitNone(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		synchronized (this.monitor) {
			while (this.count.get() > 0) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return false;
				}
				this.monitor.wait(Math.max(1, remaining / 1_000_000));
			}
		}
		return true;
	}

	long current() {
		return this.count.get();
	}

}
