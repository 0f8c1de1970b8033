package dev.rill.e2e.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the consumer received in the current phase: which sequence numbers (so duplicates and
 * losses are counted, not assumed), how many, when the last one came, and the latency of each
 * (nanoseconds, in an HdrHistogram {@link Recorder}: wait-free for the receiving thread).
 */
final class Tally {

	private final Recorder latencies = new Recorder(3);

	private volatile Phase phase = new Phase(0, 0);

	/**
	 * Start counting a phase whose messages carry the sequence numbers
	 * {@code [first, first + count)}; resets the latencies.
	 */
	void startPhase(long first, long count) {
		this.phase = new Phase(first, count);
		this.latencies.reset();
	}

	/**
	 * The consumer's handler: called once per delivered message.
	 * @param payload the message's payload
	 */
	void receive(byte[] payload) {
		long now = System.nanoTime();
		Phase current = this.phase;
		long index = Payloads.sequence(payload) - current.first;
		if (index < 0 || index >= current.count) {
			current.stray.increment();
			return;
		}
		long bit = 1L << (index & 63);
		long before = current.seen.getAndAccumulate((int) (index >>> 6), bit, (a, b) -> a | b);
		if ((before & bit) != 0) {
			current.duplicates.increment();
			return;
		}
		this.latencies.recordValue(Math.max(0, now - Payloads.sentAt(payload)));
		current.lastReceived = now;
		current.received.incrementAndGet();
	}

	long received() {
		return this.phase.received.get();
	}

	long lastReceivedNanos() {
		return this.phase.lastReceived;
	}

	long duplicates() {
		return this.phase.duplicates.sum();
	}

	long stray() {
		return this.phase.stray.sum();
	}

	/**
	 * @return the latencies recorded since the phase started (nanoseconds)
	 */
	Histogram latencies() {
		return this.latencies.getIntervalHistogram();
	}

	/**
	 * Wait until every message of the phase arrived, or until none arrived for {@code idleMillis}.
	 * @return whether all arrived
	 */
	boolean awaitAll(long idleMillis) throws InterruptedException {
		Phase current = this.phase;
		long last = -1;
		long lastProgress = System.nanoTime();
		while (current.received.get() < current.count) {
			long now = current.received.get();
			if (now != last) {
				last = now;
				lastProgress = System.nanoTime();
			}
			else if (System.nanoTime() - lastProgress > idleMillis * 1_000_000) {
				return false;
			}
			Thread.sleep(1);
		}
		return true;
	}

	private static final class Phase {

		final long first;

		final long count;

		final AtomicLongArray seen;

		final AtomicLong received = new AtomicLong();

		final LongAdder duplicates = new LongAdder();

		final LongAdder stray = new LongAdder();

		volatile long lastReceived;

		Phase(long first, long count) {
			this.first = first;
			this.count = count;
			this.seen = new AtomicLongArray((int) ((count + 63) / 64));
		}

	}

}
