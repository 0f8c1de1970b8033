package dev.rill.e2e.faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link RollingRestartTests}' {@code SIGTERM} rolling restart of every service under load, on the
 * Kafka binder: a service stopping commits what it handled and leaves its groups; its successor
 * rejoins and reads on from the committed offsets. Same oracle: 0 lost, 0 dead-lettered, every
 * group's lag 0 at the end; printed: each group's lag right after its service exited.
 */
@ExtendWith(KafkaFaultPlatform.class)
class KafkaRollingRestartTests {

	@Test
	void everyServiceRestartedWithSigtermUnderLoad(KafkaFaultPlatform faults) {
		RollingRestartTests.rollingRestart(faults);
	}

}
