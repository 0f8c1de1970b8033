package dev.rill.binder.redis.inbound;

import java.time.Duration;

/**
 * The running and paused state shared by the read loops of one consumer binding. Loops
 * ask it before every read: while the binding is paused they wait here (their consumer
 * stays in the group and keeps its pending entries), and once it stops they leave.
 */
final class ConsumptionControl {

	private boolean running;

	private boolean paused;

	synchronized void start() {
		this.running = true;
		notifyAll();
	}

	synchronized void stop() {
		this.running = false;
		notifyAll();
	}

	synchronized void pause() {
		this.paused = true;
	}

	synchronized void resume() {
		this.paused = false;
		notifyAll();
	}

	synchronized boolean isRunning() {
		return this.running;
	}

	synchronized boolean isPaused() {
		return this.paused;
	}

	/**
	 * Wait while paused.
	 * @return {@code true} when the loop may read, {@code false} when it must stop
	 */
	synchronized boolean awaitReadAllowed() throws InterruptedException {
		while (this.running && this.paused) {
			wait();
		}
		return this.running;
	}

	/**
	 * Sleep for a back-off period, waking early when the binding stops.
	 * @param duration how long to sleep
	 */
	synchronized void sleep(Duration duration) throws InterruptedException {
		long deadline = System.nanoTime() + duration.toNanos();
		long remaining;
		while (this.running && (remaining = deadline - System.nanoTime()) > 0) {
			wait(Math.max(1, remaining / 1_000_000));
		}
	}

}
