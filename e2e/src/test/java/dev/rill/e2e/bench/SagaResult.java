package dev.rill.e2e.bench;

import java.util.List;
import java.util.Map;

/**
 * The saga benchmark's outcome.
 *
 * @param jvm options of the three service JVMs
 * @param throughput the closed-loop phase: as many orders as {@code concurrency} HTTP clients place
 * @param paced the open-loop phase at a fixed rate below that
 */
record SagaResult(List<String> jvm, int concurrency, SagaPhase throughput, SagaPhase paced) {

	/**
	 * One phase.
	 *
	 * @param name its name
	 * @param targetRate orders/s the POSTs were paced at, 0 for closed loop
	 * @param orders orders placed
	 * @param accepted orders answered 202
	 * @param notified accepted orders whose customer was notified
	 * @param postSeconds from the first POST to the last answer
	 * @param seconds from the first POST to the last notification
	 * @param ordersPerSecond {@code notified / seconds}: orders carried through the whole saga
	 * @param postRate {@code orders / postSeconds}
	 * @param p50Millis POST to notification ({@code sentAt} of the notification), percentiles
	 * @param p90Millis see p50
	 * @param p99Millis see p50
	 * @param maxMillis see p50
	 * @param serviceCpuMillisPerOrder CPU of the three service JVMs and Redis per order
	 * @param cpuMillisPerOrder the same per process
	 * @param backlog per stream and group, entries not yet handled (undelivered and pending) when
	 * the last POST was answered: where the saga queues
	 */
	record SagaPhase(String name, int targetRate, int orders, int accepted, int notified, double postSeconds,
			double seconds, double ordersPerSecond, double postRate, double p50Millis, double p90Millis,
			double p99Millis, double maxMillis, double serviceCpuMillisPerOrder, Map<String, Double> cpuMillisPerOrder,
			Map<String, Long> backlog) {
	}

}
