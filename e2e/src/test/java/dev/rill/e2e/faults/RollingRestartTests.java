package dev.rill.e2e.faults;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rill.e2e.platform.Service;
import dev.rill.e2e.platform.ServiceProcess;

/**
 * A rolling restart, as a deployment does it: each service in turn is stopped with
 * {@code SIGTERM} (Spring's graceful shutdown: the web server finishes its requests, the
 * consumer bindings finish and acknowledge what they hold) and started again, one after
 * another, while orders keep coming (60 a second). In the end nothing is lost or dead-lettered
 * and every group's pending count is 0.
 * <p>
 * Printed, not asserted: what each group holds pending right after its service exited. Mostly 0
 * (in-flight handlers finish and acknowledge), but an entry that a blocking read returned while
 * the binding was stopping is left pending, unprocessed, on the consumer that is gone, and is
 * handled only when the restarted instance claims it after {@code claim-idle-time} (10 s here,
 * 1 min by default). Reported as a finding.
 */
@ExtendWith(FaultPlatform.class)
class RollingRestartTests {

	/** The groups each service reads. */
	private static final Map<Service, List<String>> GROUPS = Map.of(Service.INVENTORY, List.of("orders/inventory"),
			Service.NOTIFICATION, List.of("order-status/notification"), Service.ORDER,
			List.of("stock/order", "orders/order-view"));

	@Test
	void everyServiceRestartedWithSigtermUnderLoad(FaultPlatform faults) {
		rollingRestart(faults);
	}

	/**
	 * The scenario, on either binder ({@link KafkaRollingRestartTests} runs it on Kafka).
	 * @param faults the platform
	 */
	static void rollingRestart(FaultTarget faults) {
		FaultOracle oracle = FaultOracle.begin(faults, "SIGTERM rolling restart");
		String run = "rolling-" + ThreadLocalRandom.current().nextInt(1000, 10000);
		Map<String, Long> pendingAfterExit = new LinkedHashMap<>();
		StringBuilder timeline = new StringBuilder();
		// The cap is over 5 minutes of load: three restarts on a busy machine must not run it dry.
		try (OrderLoad load = new OrderLoad(run, faults.client(), 4, 60, 20_000).start()) {
			load.awaitAccepted(200, Duration.ofSeconds(60));
			for (Service service : List.of(Service.INVENTORY, Service.NOTIFICATION, Service.ORDER)) {
				ServiceProcess process = faults.platform().service(service);
				long stopping = System.nanoTime();
				process.stop();
				double stop = (System.nanoTime() - stopping) / 1e9;
				for (String group : GROUPS.get(service)) {
					String[] parts = group.split("/");
					pendingAfterExit.put(group, faults.events().unacknowledged(parts[0], parts[1]));
				}
				long starting = System.nanoTime();
				process.start().awaitHealthy(FaultPlatform.STARTUP);
				timeline.append(String.format("%s stop %.1f s start %.1f s; ", service.artifact(), stop,
						(System.nanoTime() - starting) / 1e9));
				load.awaitAccepted((int) load.acceptedCount() + 60, Duration.ofSeconds(60));
			}
			load.stop();
			oracle.verify(load, timeline + faults.events().unacknowledgedName() + " right after each exit "
					+ pendingAfterExit);
		}
	}

}
