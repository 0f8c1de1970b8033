package dev.rill.e2e.faults;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rill.e2e.faults.OrderLoad.Attempt;
import dev.rill.e2e.platform.ServiceProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis unreachable for 30 s while orders keep coming (50 a second from 4 customers): the
 * redis-server is frozen with {@code SIGSTOP} and let go on with {@code SIGCONT}.
 * <p>
 * Frozen rather than killed and restarted 30 s later: a partition (or a server that hangs) is
 * the harder case for the clients. A killed server refuses connections at once, and clients
 * notice and reconnect; a frozen one keeps their connections open and answers nothing, so every
 * command runs into its timeout, and what the clients wrote meanwhile (sends whose callers gave
 * up, blocking reads whose replies nobody waits for) is executed when it goes on. A restart is
 * covered by {@link RedisCrashTests}.
 * <p>
 * While it is frozen order-app answers 503, never 202; each service's health, and the Redis
 * binder's part of it ({@code binders.redis}), goes DOWN, and UP again by itself afterwards; in
 * the end every order accepted before, during or after is final, nothing is dead-lettered and
 * nothing is pending. A 503 may still have placed its order (a send that timed out, executed by
 * Redis when it went on: "outcome unknown"), which is allowed; such an order must be final too.
 */
@ExtendWith(FaultPlatform.class)
class RedisUnreachableTests {

	private static final Duration UNREACHABLE = Duration.ofSeconds(30);

	/**
	 * How long the customers wait for an answer: longer than order-app takes to give up on a
	 * Redis that does not answer (about 10 s: the record's write and then its removal each wait
	 * for the 5 s command timeout), so that what it answers is seen, not the client's own timeout.
	 */
	private static final Duration CUSTOMER_PATIENCE = Duration.ofSeconds(30);

	@Test
	void redisUnreachableFor30sUnderLoad(FaultPlatform faults) {
		List<ServiceProcess> services = faults.platform().services();
		FaultOracle oracle = FaultOracle.begin(faults, "Redis unreachable 30 s (SIGSTOP)").outcomeUnknownFor("HTTP 503");
		String run = "frozen-redis-" + ThreadLocalRandom.current().nextInt(1000, 10000);
		try (OrderLoad load = new OrderLoad(run, faults.client().withTimeout(CUSTOMER_PATIENCE), 4, 50, 5000).start()) {
			load.awaitAccepted(200, Duration.ofSeconds(60));
			long frozenAt;
			long thawedAt;
			Map<String, Double> down;
			try (FrozenRedis frozen = FrozenRedis.freeze(faults.redisServer())) {
				frozenAt = System.nanoTime();
				down = ServiceHealth.awaitEach(services, ServiceHealth::down, "DOWN while Redis is frozen", frozenAt,
						UNREACHABLE);
				// The fault lasts its 30 s, however soon health noticed it.
				FaultOracle.sleep(Duration.ofNanos(Math.max(0, frozenAt + UNREACHABLE.toNanos() - System.nanoTime())));
				thawedAt = System.nanoTime();
			}
			Map<String, Double> up = ServiceHealth.awaitEach(services, ServiceHealth::up, "UP after Redis went on",
					thawedAt, Duration.ofSeconds(90));
			load.awaitAccepted((int) load.acceptedCount() + 200, Duration.ofSeconds(90)).stop();

			List<Attempt> whileFrozen = load.madeWithin(frozenAt, thawedAt);
			Map<String, Long> answers = whileFrozen.stream()
				.collect(Collectors.groupingBy(Attempt::outcome, TreeMap::new, Collectors.counting()));
			double slowest = whileFrozen.stream()
				.mapToLong(attempt -> load.timing(attempt).answered() - load.timing(attempt).sent())
				.max()
				.orElse(0) / 1e9;
			oracle.verify(load, String.format("frozen %.1f s; requests made while frozen %s, answered in up to %.1f s;"
					+ " health DOWN after %s s, UP after %s s from SIGCONT", (thawedAt - frozenAt) / 1e9, answers,
					slowest, ServiceHealth.rounded(down), ServiceHealth.rounded(up)));
			assertThat(answers).as("answers to requests made while Redis was frozen").containsOnlyKeys("HTTP 503");
		}
	}

}
