package dev.rill.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.rill.e2e.SagaScenario.Kind;
import dev.rill.e2e.SagaScenario.Oracle;
import dev.rill.e2e.SagaScenario.Outcome;
import dev.rill.e2e.platform.Platform;

/**
 * The saga end to end, the three services each in a JVM of its own from its packaged jar:
 * 200 orders over HTTP, of which the stock allows 110; every accepted order ends CONFIRMED or
 * REJECTED, the confirmed ones are exactly what the stock allows, every order is notified
 * exactly once with its final status, stock levels add up, and the correlation id given at the
 * HTTP edge shows in the logs of all three services. Subclasses choose the transport.
 */
abstract class SagaTests {

	/** The repository's root (the services' jars are in {@code <root>/<service>/target/}). */
	static final Path ROOT = Path.of(System.getProperty("rill.root", "..")).toAbsolutePath().normalize();

	/**
	 * @param testClass a test class
	 * @return where its services' logs go: {@code e2e/target/e2e/<class>/}
	 */
	static Path output(Class<?> testClass) {
		return Path.of(System.getProperty("rill.e2e.output", "target/e2e")).resolve(testClass.getSimpleName());
	}

	/**
	 * @return the running services
	 */
	protected abstract Platform platform();

	/**
	 * @return the transport's name, for the oracle line and the correlation ids
	 */
	protected abstract String transport();

	/**
	 * Wait until the transport holds no event that a consumer has not handled (every group has
	 * read and acknowledged or committed everything) and no dead letter exists.
	 * @param timeout how long to wait
	 */
	protected abstract void awaitTransportIdle(Duration timeout);

	@Test
	void everyAcceptedOrderIsDecidedAsTheStockAllowsAndNotifiedExactlyOnce() {
		long started = System.nanoTime();
		SagaScenario scenario = new SagaScenario(transport() + "-saga", platform().client());
		scenario.placeOrders();
		scenario.awaitOutcomes(Duration.ofSeconds(90));
		// Every event handled: a duplicate notification would have arrived by now.
		awaitTransportIdle(Duration.ofSeconds(30));
		List<Outcome> outcomes = scenario.outcomes();
		Oracle oracle = SagaScenario.oracle(outcomes);
		System.out.printf("%s in %.1f s%n", oracle.line(transport() + " saga"), (System.nanoTime() - started) / 1e9);

		SagaAssertions.assertPlacements(scenario);
		SagaAssertions.assertOutcomes(scenario, outcomes);
		SagaAssertions.assertCorrelationIdsInAllLogs(platform(), scenario,
				List.of(Kind.APPLE, Kind.PEAR, Kind.KIWI_PLUM, Kind.GHOST));
	}

}
