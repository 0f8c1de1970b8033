package dev.rill.e2e.faults;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rill.e2e.platform.Service;
import dev.rill.e2e.platform.ServiceProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of inventory-app (the platform's and a second one, on another port, with a
 * consumer name of its own in the group {@code inventory}), orders coming (100 a second from 4
 * customers); the second one is killed ({@code kill -9}) while it holds delivered,
 * unacknowledged entries, and never comes back. The survivor's claimer takes the dead
 * consumer's entries over once they have been idle for {@code claim-idle-time} (10 s here) and
 * processes them: every accepted order ends final, nothing is dead-lettered, nothing is left
 * pending (the dead consumer holds none), stock adds up.
 * <p>
 * The platform's own instance is the survivor, so that the platform stays as it was: the second
 * instance is dead at the end (and killed in any case if the test fails earlier). Its consumer
 * stays in the group with nothing pending until the survivor removes it after
 * {@code consumer-expiry} (1 h).
 */
@ExtendWith(FaultPlatform.class)
class LostInstanceTests {

	private static final Pattern CLAIMED = Pattern
		.compile("Claimed (\\d+) entries of stream 'orders' pending for group 'inventory'");

	@Test
	void inventoryInstanceLostForGoodItsEntriesAreFinishedByTheSurvivor(FaultPlatform faults) {
		Redis redis = faults.redis();
		ServiceProcess survivor = faults.platform().inventory();
		Set<String> consumersBefore = redis.consumersPending("orders", "inventory").keySet();
		ServiceProcess second = faults.platform().anotherInstance(Service.INVENTORY, "inventory-app-2");
		try {
			second.start().awaitHealthy(FaultPlatform.STARTUP);
			String consumer = await("the second instance's consumer in the group inventory")
				.atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> redis.consumersPending("orders", "inventory")
					.keySet()
					.stream()
					.filter(name -> !consumersBefore.contains(name))
					.findFirst()
					.orElse(null), name -> name != null);
			FaultOracle oracle = FaultOracle.begin(faults, "second inventory-app lost for good");
			String run = "lost-inventory-" + ThreadLocalRandom.current().nextInt(1000, 10000);
			try (OrderLoad load = new OrderLoad(run, faults.client(), 4, 100, 6000).start()) {
				load.awaitAccepted(300, Duration.ofSeconds(60));
				long held = killWhileHolding(redis, second, consumer);
				long killed = System.nanoTime();
				int survivorLog = survivor.log().length();
				await("the dead consumer's entries taken over").atMost(Duration.ofSeconds(60))
					.pollInterval(Duration.ofMillis(200))
					.until(() -> redis.consumersPending("orders", "inventory").get(consumer) == 0);
				double takenOver = (System.nanoTime() - killed) / 1e9;
				load.awaitAccepted((int) load.acceptedCount() + 200, Duration.ofSeconds(60)).stop();
				long claimed = claimedSince(survivor, survivorLog);
				oracle.verify(load, String.format("killed holding %d entries of orders/inventory, never restarted;"
						+ " the survivor's claimer took %d entries %.1f s after the kill (claim-idle-time 10 s)", held,
						claimed, takenOver));
				assertThat(claimed).as("entries the survivor logged it claimed from orders/inventory")
					.isGreaterThanOrEqualTo(held);
			}
		}
		finally {
			second.kill();
		}
	}

	/**
	 * Freeze the instance ({@code SIGSTOP}) at a moment its consumer holds pending entries and
	 * {@code SIGKILL} it; if it holds none once frozen, let it go on and try again.
	 * @return how many entries the killed consumer held
	 */
	private static long killWhileHolding(Redis redis, ServiceProcess instance, String consumer) {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (System.nanoTime() < deadline) {
			if (redis.consumersPending("orders", "inventory").get(consumer) == 0) {
				FaultOracle.sleep(Duration.ofMillis(2));
				continue;
			}
			instance.signal("STOP");
			long held = redis.consumersPending("orders", "inventory").get(consumer);
			if (held > 0) {
				instance.kill();
				return held;
			}
			instance.signal("CONT");
		}
		throw new AssertionError("The consumer " + consumer + " never held pending entries of orders/inventory");
	}

	private static long claimedSince(ServiceProcess service, int offset) {
		Matcher matcher = CLAIMED.matcher(service.log().substring(offset));
		long claimed = 0;
		while (matcher.find()) {
			claimed += Long.parseLong(matcher.group(1));
		}
		return claimed;
	}

}
