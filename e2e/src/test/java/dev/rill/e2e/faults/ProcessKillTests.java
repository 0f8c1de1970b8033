package dev.rill.e2e.faults;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rill.e2e.platform.Service;
import dev.rill.e2e.platform.ServiceProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kill -9} of one service while orders keep coming (100 a second from 4 customers), at a
 * moment when its consumer group holds entries delivered and not acknowledged; then the service is
 * started again (a new consumer of the group, which takes the dead one's entries over after
 * {@code claim-idle-time}). Whatever the service was doing is redone: every accepted order ends
 * decided and notified, nothing is dead-lettered, every group ends with nothing pending, stock
 * adds up.
 */
@ExtendWith(FaultPlatform.class)
class ProcessKillTests {

	@Test
	void inventoryKilledWithOrdersInFlight(FaultPlatform faults) {
		crash(faults, Service.INVENTORY, "orders", "inventory");
	}

	@Test
	void notificationKilledWithNoticesInFlight(FaultPlatform faults) {
		crash(faults, Service.NOTIFICATION, "order-status", "notification");
	}

	/**
	 * order-app is the HTTP edge as well: orders answered 202 before the kill are not lost;
	 * requests while it is down are refused (connection refused) and simply not accepted; those in
	 * flight at the kill get no answer (and may or may not have been placed: the oracle follows every
	 * order in the stream either way).
	 */
	@Test
	void orderAppKilledWithDecisionsInFlight(FaultPlatform faults) {
		crash(faults, Service.ORDER, "stock", "order");
	}

	/**
	 * The scenario, on either binder ({@link KafkaProcessKillTests} runs it on Kafka).
	 * @param faults the platform
	 * @param service the service to kill
	 * @param stream a stream it reads
	 * @param group its group there: the kill waits for a moment it holds unacknowledged events
	 */
	static void crash(FaultTarget faults, Service service, String stream, String group) {
		ServiceProcess process = faults.platform().service(service);
		FaultOracle oracle = FaultOracle.begin(faults, "kill -9 " + service.artifact());
		String run = "kill-" + service.artifact().replace("-app", "") + "-" + ThreadLocalRandom.current().nextInt(1000, 10000);
		// The cap is 2 minutes of load: a restart on a busy machine (or on Kafka, where the new
		// member waits for the dead one's session to time out) must not run the load dry.
		try (OrderLoad load = new OrderLoad(run, faults.client(), 4, 100, 12_000).start()) {
			load.awaitAccepted(300, Duration.ofSeconds(60));
			long inFlight = killWhilePending(faults, process, stream, group);
			long acceptedBefore = load.acceptedCount();
			long killed = System.nanoTime();
			process.start().awaitHealthy(FaultPlatform.STARTUP);
			double downtime = (System.nanoTime() - killed) / 1e9;
			load.awaitAccepted((int) load.acceptedCount() + 200, Duration.ofSeconds(60)).stop();
			oracle.verify(load, String.format("killed with %s %d for %s/%s after %d accepted, down %.1f s",
					faults.events().unacknowledgedName(), inFlight, stream, group, acceptedBefore, downtime));
			if (service == Service.ORDER) {
				assertThat(load.notAccepted()).as("requests while order-app was down").containsKey("connection refused");
			}
		}
	}

	/**
	 * Freeze the service ({@code SIGSTOP}) at a moment its group has pending entries; if the frozen
	 * process holds some, {@code SIGKILL} it, else let it go on ({@code SIGCONT}) and try again.
	 * On Kafka "pending" is the group's lag: records after its committed offset, which the frozen
	 * consumer has fetched (or not yet) and not committed.
	 * @return how many entries the killed consumer held
	 */
	private static long killWhilePending(FaultTarget faults, ServiceProcess process, String stream, String group) {
		EventLog events = faults.events();
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (System.nanoTime() < deadline) {
			if (events.unacknowledged(stream, group) == 0) {
				FaultOracle.sleep(Duration.ofMillis(2));
				continue;
			}
			process.signal("STOP");
			long held = events.unacknowledged(stream, group);
			if (held > 0) {
				process.kill();
				return held;
			}
			process.signal("CONT");
		}
		throw new AssertionError("The group " + group + " of " + stream + " never had pending entries");
	}

}
