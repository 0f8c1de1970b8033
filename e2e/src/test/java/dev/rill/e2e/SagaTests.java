package dev.rill.e2e;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.rill.e2e.SagaScenario.Kind;
import dev.rill.e2e.SagaScenario.Oracle;
import dev.rill.e2e.SagaScenario.Outcome;

/**
 * The saga end to end, the three services each in a JVM of its own from its packaged jar:
 * 200 orders over HTTP, of which the stock allows 110; every accepted order ends CONFIRMED or
 * REJECTED, the confirmed ones are exactly what the stock allows, every order is notified
 * exactly once with its final status, stock levels add up, and the correlation id given at the
 * HTTP edge shows in the logs of all three services. Subclasses choose the transport: each
 * registers a {@link SagaPlatform} on it.
 */
abstract class SagaTests {

	@Test
	void everyAcceptedOrderIsDecidedAsTheStockAllowsAndNotifiedExactlyOnce(SagaPlatform<?> saga) {
		String transport = saga.transport().name();
		long started = System.nanoTime();
		SagaScenario scenario = new SagaScenario(transport + "-saga", saga.platform().client());
		scenario.placeOrders();
		scenario.awaitOutcomes(Duration.ofSeconds(90));
		// Every event handled: a duplicate notification would have arrived by now.
		saga.transport().awaitIdle(Duration.ofSeconds(30));
		List<Outcome> outcomes = scenario.outcomes();
		Oracle oracle = SagaScenario.oracle(outcomes);
		System.out.printf("%s in %.1f s%n", oracle.line(transport + " saga"), (System.nanoTime() - started) / 1e9);

		SagaAssertions.assertPlacements(scenario);
		SagaAssertions.assertOutcomes(scenario, outcomes);
		SagaAssertions.assertCorrelationIdsInAllLogs(saga.platform(), scenario,
				List.of(Kind.APPLE, Kind.PEAR, Kind.KIWI_PLUM, Kind.GHOST));
	}

}
