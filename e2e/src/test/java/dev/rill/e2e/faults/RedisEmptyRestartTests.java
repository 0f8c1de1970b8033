package dev.rill.e2e.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rill.binder.redis.test.RedisServerProcess;
import dev.rill.e2e.faults.OrderLoad.Attempt;
import dev.rill.e2e.platform.ServiceProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The redis-server killed ({@code kill -9}) while orders keep coming (100 a second from 4
 * customers) and started again with no data at all (AOF files removed), as a Redis without
 * persistence comes back. It is kept down until every service's health says so.
 * <p>
 * The services recover by themselves: each consumer finds its group gone, creates it again (a
 * WARN each, asserted per group of the saga); health, and the binder's {@code binders.redis},
 * go DOWN while Redis is down and UP after; no request made while it was down is accepted. Then
 * new orders flow and end final, nothing dead-lettered, nothing pending. What was in Redis
 * (stock, orders, read models) is gone, so only orders placed after the restart are checked, on
 * stock set after it; dead letters that work in flight from before causes (an answer for an
 * order whose record is gone) are printed, not counted against the new orders.
 */
// Opt-in (about 1-2 minutes): keeps ./mvnw verify well under 20 minutes on two cores;
// run with -Dgroups=slow -DexcludedGroups=benchmark (README, Fault injection).
@Tag("slow")
@ExtendWith(FaultPlatform.class)
class RedisEmptyRestartTests {

	private static final Pattern GROUP_RECREATED = Pattern
		.compile("Consumer group '([^']+)' of stream '([^']+)' had disappeared");

	@Test
	void restartedEmptyTheServicesRecoverAndNewOrdersFlow(FaultPlatform faults) {
		List<ServiceProcess> services = faults.platform().services();
		Map<ServiceProcess, Integer> logOffsets = new TreeMap<>((a, b) -> a.name().compareTo(b.name()));
		services.forEach(service -> logOffsets.put(service, service.log().length()));
		String outage = killAndRestartEmpty(faults, services);
		await("every group of the saga created again").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> missingGroups(faults).isEmpty());
		// What was in flight when Redis died (a send Lettuce wrote again on reconnecting, say) is
		// handled before the new run begins, so that it does not count against it.
		FaultOracle settling = FaultOracle.begin(faults, "settling");
		await("the saga drained after the empty restart").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(300))
			.until(() -> settling.drained() && settling.drained());
		Map<String, Long> deadLettersOfLostOrders = FaultOracle.deadLetters(faults.redis());
		Map<String, List<String>> recreated = recreatedGroups(logOffsets);

		FaultOracle oracle = FaultOracle.begin(faults, "Redis restarted empty");
		String run = RedisCrashTests.run("redis-empty-after");
		try (OrderLoad load = new OrderLoad(run, faults.client(), 4, 100, 6000).start()) {
			load.awaitAccepted(300, Duration.ofSeconds(60)).stop();
			oracle.verify(load, outage + "; groups created again (WARN) " + recreated
					+ "; dead letters of orders from before the restart " + deadLettersOfLostOrders);
		}
		FaultOracle.GROUPS.forEach((stream, groups) -> groups.forEach(group -> assertThat(recreated)
			.as("services that logged that %s/%s had disappeared and created it again", stream, group)
			.containsKey(stream + "/" + group)));
	}

	/**
	 * Kill Redis under load, wait until every service's health is DOWN, start it again empty and
	 * wait until every service's health is UP. No request made while it was down may be accepted.
	 * @return what happened, for the oracle line
	 */
	private static String killAndRestartEmpty(FaultPlatform faults, List<ServiceProcess> services) {
		RedisServerProcess redis = faults.redisServer();
		String run = RedisCrashTests.run("redis-empty-before");
		// Redis dies with work in flight everywhere; these orders are gone with its data.
		try (OrderLoad load = new OrderLoad(run, faults.client(), 4, 100, 6000).start()) {
			load.awaitAccepted(200, Duration.ofSeconds(60));
			long killed = System.nanoTime();
			redis.kill();
			long dead = System.nanoTime();
			Map<String, Double> down = ServiceHealth.awaitEach(services, ServiceHealth::down,
					"DOWN while Redis is down", killed, Duration.ofSeconds(60));
			load.stop();
			redis.restartEmpty();
			long back = System.nanoTime();
			assertThat(load.madeWithin(dead, back)).as("orders accepted while Redis was down")
				.noneMatch(Attempt::accepted);
			Map<String, Double> up = ServiceHealth.awaitEach(services, ServiceHealth::up,
					"UP after Redis came back empty", back, Duration.ofSeconds(90));
			return String.format("down %.1f s; health DOWN after %s s, UP after %s s from the restart",
					(back - killed) / 1e9, ServiceHealth.rounded(down), ServiceHealth.rounded(up));
		}
	}

	private static List<String> missingGroups(FaultPlatform faults) {
		return FaultOracle.GROUPS.entrySet()
			.stream()
			.flatMap(stream -> stream.getValue()
				.stream()
				.filter(group -> faults.redis()
					.groups(stream.getKey())
					.stream()
					.noneMatch(existing -> group.equals(existing.get("name"))))
				.map(group -> stream.getKey() + "/" + group))
			.toList();
	}

	/** Per {@code stream/group}, the services that logged its WARN "had disappeared" since the offsets. */
	private static Map<String, List<String>> recreatedGroups(Map<ServiceProcess, Integer> logOffsets) {
		Map<String, List<String>> recreated = new TreeMap<>();
		logOffsets.forEach((service, offset) -> {
			Matcher matcher = GROUP_RECREATED.matcher(service.log().substring(offset));
			while (matcher.find()) {
				List<String> by = recreated.computeIfAbsent(matcher.group(2) + "/" + matcher.group(1),
						key -> new ArrayList<>());
				if (!by.contains(service.name())) {
					by.add(service.name());
				}
			}
		});
		return recreated;
	}

}
