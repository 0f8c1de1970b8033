package dev.rill.binder.redis.outbound;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.RedisCommand;

/**
 * Hands commands to a Lettuce connection in batches, so that a fast asynchronous producer
 * pays one flush (one {@code write} system call, one event-loop wake-up) per batch instead
 * of one per command.
 * <p>
 * A command is queued; the queue is handed to the connection in one
 * {@link StatefulConnection#dispatch(java.util.Collection) dispatch} (written and flushed
 * together):
 * <ul>
 * <li>at once when no command of this dispatcher awaits its reply: a producer that sends
 * now and then pays no delay;</li>
 * <li>otherwise when the last reply awaited arrives, with whatever was queued meanwhile,
 * so the batch size follows the round trip;</li>
 * <li>when {@value #MAX_BATCH} commands are queued, so a fast producer never waits for a
 * round trip;</li>
 * <li>at once for a command whose caller waits for its reply (a synchronous send).</li>
 * </ul>
 * A producer that stops sending is therefore flushed by the reply of its previous batch;
 * no timer is needed. Every handed-over command completes (reply, error, Lettuce's
 * command timeout, or the connection's closing), which is what keeps the batches moving.
 * <p>
 * One queue and one dispatching thread at a time keep the order in which commands were
 * written, so the entries of one producer arrive in the order it sent them. No lock is
 * held while Lettuce writes.
 */
final class BatchingDispatcher {

	/** Most commands queued before they are handed over without waiting for replies. */
	static final int MAX_BATCH = 64;

	private final StatefulConnection<byte[], byte[]> connection;

	private final Queue<RedisCommand<byte[], byte[], ?>> queue = new ConcurrentLinkedQueue<>();

	private final AtomicInteger queued = new AtomicInteger();

	/** Handed to the connection, reply not yet arrived. */
	private final AtomicInteger unanswered = new AtomicInteger();

	/** Flush requests not yet served; the thread that raised it from 0 serves them all. */
	private final AtomicInteger flushRequests = new AtomicInteger();

	private final AtomicInteger batches = new AtomicInteger();

	BatchingDispatcher(StatefulConnection<byte[], byte[]> connection) {
		this.connection = connection;
	}

	/**
	 * Queue a command.
	 * @param command the command
	 * @param now hand it over at once (its caller waits for the reply)
	 */
	<T> void write(AsyncCommand<byte[], byte[], T> command, boolean now) {
		command.whenComplete((result, failure) -> answered());
		this.queue.offer(command);
		int waiting = this.queued.incrementAndGet();
		// Read after queueing: either this sees the last reply arrived, or the thread that
		// counted that reply sees this command in the queue (see answered).
		if (now || waiting >= MAX_BATCH || this.unanswered.get() == 0) {
			flush();
		}
	}

	/**
	 * @return how many batches were handed to the connection so far
	 */
	int batches() {
		return this.batches.get();
	}

	private void answered() {
		if (this.unanswered.decrementAndGet() == 0 && !this.queue.isEmpty()) {
			flush();
		}
	}

	private void flush() {
		if (this.flushRequests.getAndIncrement() != 0) {
			return;
		}
		int requests = 1;
		do {
			List<RedisCommand<byte[], byte[], ?>> batch = drain();
			if (!batch.isEmpty()) {
				dispatch(batch);
			}
			requests = this.flushRequests.addAndGet(-requests);
		}
		while (requests != 0);
	}

	private List<RedisCommand<byte[], byte[], ?>> drain() {
		List<RedisCommand<byte[], byte[], ?>> batch = new ArrayList<>(Math.min(this.queued.get(), MAX_BATCH * 4));
		RedisCommand<byte[], byte[], ?> command;
		while ((command = this.queue.poll()) != null) {
			batch.add(command);
		}
		this.queued.addAndGet(-batch.size());
		return batch;
	}

	private void dispatch(List<RedisCommand<byte[], byte[], ?>> batch) {
		// Counted before they can be answered, so the count never drops below zero.
		this.unanswered.addAndGet(batch.size());
		this.batches.incrementAndGet();
		try {
			this.connection.dispatch(batch);
		}
		catch (RuntimeException ex) {
			// Rejected before writing (for example: disconnected and told to reject
			// commands): each command fails, and so each send reports it.
			batch.forEach(command -> command.completeExceptionally(ex));
		}
	}

}
