package dev.rill.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a batch of blocking calls at once (HTTP requests of the saga's customers, reads of every
 * order by the oracles, health polls of the three services), on a pool of its own that is gone
 * when the batch is: a test never leaves threads behind for the next one.
 */
public final class ParallelCalls {

	private ParallelCalls() {
	}

	/**
	 * Run every call and wait for all of them.
	 * @param threads how many run at the same time
	 * @param calls the calls
	 * @param <T> what a call returns
	 * @return their results, in the order of the calls
	 * @throws RuntimeException the first failure in the order of the calls, as thrown (a checked
	 * exception or an error wrapped in an {@link IllegalStateException}); the calls still running are
	 * interrupted
	 */
	public static <T> List<T> runAll(int threads, List<? extends Callable<T>> calls) {
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<T>> futures = new ArrayList<>();
			for (Callable<T> call : calls) {
				futures.add(pool.submit(call));
			}
			List<T> results = new ArrayList<>();
			for (Future<T> future : futures) {
				results.add(future.get());
			}
			return results;
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof RuntimeException runtime) ? runtime : new IllegalStateException(ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
		finally {
			pool.shutdownNow();
		}
	}

}
