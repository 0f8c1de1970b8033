package dev.rill.e2e.bench;

/**
 * One way of carrying the benchmark's messages from a producer to a consumer in a consumer
 * group, inside a worker JVM. The producer is one thread (the worker's) calling
 * {@link #send(byte[])}; the consumer, started by {@link #start(Tally)}, hands every
 * payload to the tally and acknowledges it as the transport does.
 */
interface Transport extends AutoCloseable {

	/**
	 * Start the consumer and get the producer ready.
	 * @param tally where the consumer reports each payload
	 */
	void start(Tally tally) throws Exception;

	/**
	 * Send one message, asynchronously where the transport allows it.
	 * @param payload its payload
	 */
	void send(byte[] payload);

	/**
	 * Called when the producer is about to wait and every 64 sends: write what is buffered.
	 */
	default void flush() {
	}

	/**
	 * Called after a phase, everything received: drop what the phase left on the server.
	 */
	default void afterPhase() {
	}

	/**
	 * @return sends that failed so far
	 */
	long sendFailures();

	@Override
	void close();

}
