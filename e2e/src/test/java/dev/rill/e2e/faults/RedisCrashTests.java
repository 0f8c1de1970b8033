package dev.rill.e2e.faults;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rill.binder.redis.test.RedisServerProcess;
import dev.rill.e2e.faults.OrderLoad.Attempt;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The redis-server killed ({@code kill -9}) while orders keep coming (100 a second from 4
 * customers), once ~300 were accepted, and started again 5 s later on the same port:
 * <ul>
 * <li>with its AOF and {@code appendfsync always} (the platform's setting): every order Redis
 * acknowledged survives, so no accepted order may be lost;</li>
 * <li>with {@code appendfsync everysec} (set with {@code CONFIG SET} before the kill; the
 * restarted server is back to {@code always}): Redis may lose the writes of the last second or
 * two; the loss is measured and printed, and only accepted orders answered in the
 * {@value #EVERYSEC_WINDOW_SECONDS} s before the kill may be missing.</li>
 * </ul>
 * A restart without any data is {@link RedisEmptyRestartTests}.
 * Requests while Redis is down are answered 503 (or time out), never 202. A 503 may still have
 * placed its order (a send that timed out, written by Lettuce when Redis was back: "outcome
 * unknown"), which is allowed; such an order must be final like any other.
 */
@ExtendWith(FaultPlatform.class)
class RedisCrashTests {

	private static final Duration DOWN = Duration.ofSeconds(5);

	/**
	 * How far back Redis may lose acknowledged writes with {@code everysec}: it fsyncs once a
	 * second, and while an fsync is slow it postpones writing the AOF by up to 2 s more, while
	 * still answering clients (Redis' persistence documentation: "you can lose one second worth
	 * of writes"; {@code aof.c}: writes are postponed for at most 2 s). A kill of the process alone
	 * loses only what was not yet written (not what was written and not yet fsynced).
	 */
	private static final int EVERYSEC_WINDOW_SECONDS = 2;

	@Test
	void killedWithAppendfsyncAlwaysNoAcceptedOrderIsLost(FaultPlatform faults) {
		FaultOracle oracle = FaultOracle.begin(faults, "kill -9 Redis, appendfsync always")
			.outcomeUnknownFor("HTTP 503");
		try (OrderLoad load = new OrderLoad(run("redis-always"), faults.client(), 4, 100, 6000).start()) {
			Outage outage = killAndRestart(faults, load);
			oracle.verify(load, outage.toString());
			outage.assertNoOrderAcceptedWhileDown();
		}
	}

	@Test
	void killedWithAppendfsyncEverysecOnlyTheLastWritesMayBeLost(FaultPlatform faults) {
		RedisServerProcess redis = faults.redisServer();
		FaultOracle oracle = FaultOracle.begin(faults, "kill -9 Redis, appendfsync everysec")
			.outcomeUnknownFor("HTTP 503");
		try (OrderLoad load = new OrderLoad(run("redis-everysec"), faults.client(), 4, 100, 6000)) {
			redis.command("CONFIG", "SET", "appendfsync", "everysec");
			load.start();
			Outage outage = killAndRestart(faults, load);
			assertThat(redis.command("CONFIG", "GET", "appendfsync")).as("appendfsync after the restart")
				.contains("always");
			oracle.mayBeLostByRedis(attempt -> outage.answeredInLastSecondsBeforeKill(attempt, EVERYSEC_WINDOW_SECONDS));
			long allowed = load.accepted()
				.stream()
				.filter(attempt -> outage.answeredInLastSecondsBeforeKill(attempt, EVERYSEC_WINDOW_SECONDS))
				.count();
			FaultOracle.Result result = oracle.verify(load, outage + String.format(
					"; may be lost by Redis: the %d orders accepted in the %d s before the kill", allowed,
					EVERYSEC_WINDOW_SECONDS));
			System.out.printf("appendfsync everysec: %d of %d accepted orders lost by Redis (%d were accepted in the"
					+ " %d s before the kill)%n", result.lost(), result.accepted(), allowed, EVERYSEC_WINDOW_SECONDS);
			outage.assertNoOrderAcceptedWhileDown();
		}
		finally {
			if (redis.isRunning()) {
				redis.command("CONFIG", "SET", "appendfsync", "always");
			}
		}
	}

	static String run(String name) {
		return name + "-" + ThreadLocalRandom.current().nextInt(1000, 10000);
	}

	/**
	 * Kill Redis once the load had 300 orders accepted, start it again {@link #DOWN} later (AOF
	 * replayed), wait for every service to be healthy and for 200 more accepted orders, then stop
	 * the load.
	 */
	private static Outage killAndRestart(FaultPlatform faults, OrderLoad load) {
		load.awaitAccepted(300, Duration.ofSeconds(60));
		long acceptedBefore = load.acceptedCount();
		long killing = System.nanoTime();
		faults.redisServer().kill();
		long dead = System.nanoTime();
		FaultOracle.sleep(Duration.ofNanos(Math.max(0, killing + DOWN.toNanos() - System.nanoTime())));
		faults.redisServer().start();
		long back = System.nanoTime();
		faults.platform().awaitHealthy();
		double healthy = (System.nanoTime() - back) / 1e9;
		load.awaitAccepted((int) load.acceptedCount() + 200, Duration.ofSeconds(90)).stop();
		return new Outage(killing, dead, back, acceptedBefore, healthy, load);
	}

	/**
	 * When Redis was killed and back, as {@link System#nanoTime()}s.
	 * @param killing just before the kill
	 * @param dead once the process had exited
	 * @param back once the restarted server answered (its AOF replayed)
	 * @param acceptedBefore orders accepted before the kill
	 * @param healthySeconds from {@code back} until every service was healthy
	 * @param load the load, for the answers while down
	 */
	private record Outage(long killing, long dead, long back, long acceptedBefore, double healthySeconds,
			OrderLoad load) {

		/** Requests sent after Redis died and answered before it was back: none can have been stored. */
		List<Attempt> whileDown() {
			return this.load.madeWithin(this.dead, this.back);
		}

		/** Answered by the killed server (before the restarted one answered) in its last seconds. */
		boolean answeredInLastSecondsBeforeKill(Attempt attempt, int seconds) {
			long answered = this.load.timing(attempt).answered();
			return answered >= this.killing - Duration.ofSeconds(seconds).toNanos() && answered < this.back;
		}

		void assertNoOrderAcceptedWhileDown() {
			assertThat(whileDown()).as("orders accepted while Redis was down").noneMatch(Attempt::accepted);
		}

		@Override
		public String toString() {
			Map<String, Long> answered = new TreeMap<>();
			this.load.all().forEach(attempt -> {
				long at = this.load.timing(attempt).answered();
				if (at >= this.dead && at <= this.back) {
					answered.merge(attempt.outcome(), 1L, Long::sum);
				}
			});
			return String.format("killed after %d accepted, down %.1f s, all healthy %.1f s later; answers while down"
					+ " %s (%d requests made entirely while down)", this.acceptedBefore, (this.back - this.killing) / 1e9,
					this.healthySeconds, answered, whileDown().size());
		}

	}

}
