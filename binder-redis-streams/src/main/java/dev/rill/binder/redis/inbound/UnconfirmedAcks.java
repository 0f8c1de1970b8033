package dev.rill.binder.redis.inbound;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.data.redis.RedisSystemException;

/**
 * The {@code XACK}s of one consumer that were sent without waiting for Redis' reply.
 * <p>
 * A consumer does not wait for its acknowledgements before it reads again: the reply
 * only confirms what handling the entries already decided. What at-least-once needs is
 * kept here: an acknowledgement that failed leaves its entries pending, and the failure
 * is {@linkplain #throwIfFailed() raised} on the consumer's thread before its next read,
 * so it takes the path of any Redis failure (back off, reconnect, deliver its own pending
 * entries again); and whoever looks at the consumer's pending list (its own redelivery,
 * its removal from the group) {@linkplain #awaitAll waits} for the replies first, so it
 * does not take handled entries for pending ones.
 * <p>
 * The acknowledgements of one consumer travel on one connection, whose replies arrive in
 * the order of the commands: waiting for the last one waits for all.
 */
final class UnconfirmedAcks {

	private final AtomicReference<Throwable> failure = new AtomicReference<>();

	private volatile CompletableFuture<?> last = CompletableFuture.completedFuture(null);

	/**
	 * @param ack an acknowledgement sent, its reply not yet arrived
	 */
	void track(CompletionStage<?> ack) {
		this.last = ack.whenComplete((reply, ex) -> {
			if (ex != null) {
				this.failure.compareAndSet(null, ex);
			}
		}).toCompletableFuture();
	}

	/**
	 * Raise the failure of an acknowledgement, once.
	 * @throws RedisSystemException when one failed since the last call
	 */
	void throwIfFailed() {
		Throwable failed = this.failure.getAndSet(null);
		if (failed != null) {
			throw new RedisSystemException("XACK failed, its entries stay pending: " + failed.getMessage(), failed);
		}
	}

	/**
	 * Wait until every acknowledgement sent has its reply (or failed).
	 * @param timeout the longest wait
	 * @return whether all replies arrived in time
	 */
	boolean awaitAll(Duration timeout) throws InterruptedException {
		try {
			this.last.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
			return true;
		}
		catch (ExecutionException ex) {
			return true;
		}
		catch (TimeoutException ex) {
			return false;
		}
	}

}
