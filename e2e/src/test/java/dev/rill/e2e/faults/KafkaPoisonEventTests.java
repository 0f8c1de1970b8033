package dev.rill.e2e.faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link PoisonEventTests} on the Kafka binder: raw records (value and bare-text headers, as
 * {@code kafka-console-producer} would write them) produced into {@code orders}, {@code stock}
 * and {@code order-status} between the orders of a load; each is dead-lettered to the binder's
 * {@code error.<topic>.<group>} topic with its value and headers unchanged plus
 * {@code x-original-topic}/{@code -partition}/{@code -offset}/{@code -timestamp} and
 * {@code x-exception-*}, after the attempts its binding is configured for; the fixable ones are
 * replayed by producing the fixed record to the topic it came from (there is no
 * {@code redisstreams} endpoint on Kafka), and are then processed.
 */
@ExtendWith(KafkaFaultPlatform.class)
class KafkaPoisonEventTests {

	@Test
	void poisonOnOrdersIsDeadLetteredByBothGroups(KafkaFaultPlatform faults) {
		PoisonEventTests.onOrders(faults);
	}

	@Test
	void poisonOnStockIsDeadLetteredAfterTheRetries(KafkaFaultPlatform faults) {
		PoisonEventTests.onStock(faults);
	}

	@Test
	void poisonOnOrderStatusIsDeadLettered(KafkaFaultPlatform faults) {
		PoisonEventTests.onOrderStatus(faults);
	}

}
