package dev.rill.e2e.bench;

/**
 * One measured phase of one transport.
 *
 * @param name {@code throughput} or {@code rate-<n>}
 * @param targetRate msgs/s the producer was paced at, 0 for as fast as the window allows
 * @param count messages sent
 * @param received distinct messages received
 * @param duplicates messages received more than once (extra deliveries)
 * @param sendFailures sends the transport reported as failed
 * @param sendSeconds from the first send to the return of the last one
 * @param seconds from the first send to the last receipt
 * @param throughput {@code received / seconds}
 * @param sendRate {@code count / sendSeconds}
 * @param p50Micros latency percentiles and maximum, microseconds
 * @param p90Micros see p50
 * @param p99Micros see p50
 * @param p999Micros see p50
 * @param maxMicros see p50
 * @param cpuMicrosPerMessage CPU of the worker JVM per message
 * @param serverCpuMicrosPerMessage CPU of Redis or the Kafka broker per message, -1 when unknown
 * @param allocatedBytesPerMessage bytes the worker JVM allocated per message
 * @param gcCount collections in the phase
 * @param gcMillis time in collections in the phase
 * @param startEpochMillis wall-clock start (to cut a flight recording to the phase)
 * @param endEpochMillis wall-clock end
 */
record PhaseResult(String name, long targetRate, long count, long received, long duplicates, long sendFailures,
		double sendSeconds, double seconds, double throughput, double sendRate, double p50Micros, double p90Micros,
		double p99Micros, double p999Micros, double maxMicros, double cpuMicrosPerMessage,
		double serverCpuMicrosPerMessage, double allocatedBytesPerMessage, long gcCount, long gcMillis,
		long startEpochMillis, long endEpochMillis) {

	long lost() {
		return this.count - this.received;
	}

}
