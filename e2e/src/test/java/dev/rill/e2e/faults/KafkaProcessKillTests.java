package dev.rill.e2e.faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rill.e2e.platform.Service;

/**
 * {@link ProcessKillTests}' {@code kill -9} of inventory-app with orders in flight, on the Kafka
 * binder: frozen at a moment its group {@code inventory} has a lag on {@code orders} (records
 * fetched and not committed), killed, started again (a new member of the group, which gets the
 * partition once the broker gave up on the dead one after {@code session.timeout.ms}, 10 s here)
 * and re-reads everything after the last committed offset. Same oracle: every accepted order
 * final, nothing dead-lettered, every group's lag 0 at the end, stock exact.
 */
@ExtendWith(KafkaFaultPlatform.class)
class KafkaProcessKillTests {

	@Test
	void inventoryKilledWithOrdersInFlight(KafkaFaultPlatform faults) {
		ProcessKillTests.crash(faults, Service.INVENTORY, "orders", "inventory");
	}

}
