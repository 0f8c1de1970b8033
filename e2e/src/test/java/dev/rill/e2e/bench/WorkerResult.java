package dev.rill.e2e.bench;

import java.util.List;

/**
 * What one transport's worker JVM measured.
 *
 * @param transport {@code lettuce}, {@code redis-binder} or {@code kafka-binder}
 * @param description how it sends and receives
 * @param jvm the worker JVM's options
 * @param phases the throughput phase, then one phase per fixed rate
 */
record WorkerResult(String transport, String description, List<String> jvm, List<PhaseResult> phases) {

	PhaseResult throughput() {
		return this.phases.stream().filter(phase -> phase.targetRate() == 0).findFirst().orElse(null);
	}

	PhaseResult atRate(long rate) {
		return this.phases.stream().filter(phase -> phase.targetRate() == rate).findFirst().orElse(null);
	}

}
