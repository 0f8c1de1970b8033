package dev.rill.e2e.faults;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.awaitility.core.ConditionTimeoutException;

import dev.rill.e2e.platform.ServiceProcess;

import static org.awaitility.Awaitility.await;

/**
 * What a service's {@code /actuator/health} says, overall and for the Redis binder
 * ({@code components.binders.components.redis}, the binder's own indicator: a {@code PING}
 * within {@code health-timeout} and every consumer reading).
 * @param service the service's name
 * @param status the overall status ({@code UP}, {@code DOWN}), or {@code UNREACHABLE} when the
 * endpoint did not answer
 * @param binder the binder's status, or {@code NONE} when the answer has none
 * @param redis what the binder says of Redis ({@code up}, {@code unreachable: ...})
 */
record ServiceHealth(String service, String status, String binder, String redis) {

	/**
	 * Long enough for an answer while Redis does not answer: Spring Boot's own Redis indicator
	 * waits for the client's command timeout (5 s).
	 */
	private static final Duration TIMEOUT = Duration.ofSeconds(15);

	private static final ObjectMapper JSON = new ObjectMapper();

	/**
	 * @param service a running service
	 * @return its health now
	 */
	static ServiceHealth of(ServiceProcess service) {
		String answer = service.health(TIMEOUT);
		int space = answer.indexOf(' ');
		if (space < 0 || !answer.substring(0, space).chars().allMatch(Character::isDigit)) {
			return new ServiceHealth(service.name(), "UNREACHABLE", "NONE", answer);
		}
		try {
			JsonNode health = JSON.readTree(answer.substring(space + 1));
			JsonNode binder = health.path("components").path("binders").path("components").path("redis");
			return new ServiceHealth(service.name(), health.path("status").asText("NONE"),
					binder.path("status").asText("NONE"), binder.path("details").path("redis").asText(""));
		}
		catch (IOException ex) {
			return new ServiceHealth(service.name(), "UNREACHABLE", "NONE", "not JSON: " + answer);
		}
	}

	/** The service and its binder report DOWN. */
	boolean down() {
		return "DOWN".equals(this.status) && "DOWN".equals(this.binder);
	}

	/** The service and its binder report UP. */
	boolean up() {
		return "UP".equals(this.status) && "UP".equals(this.binder);
	}

	@Override
	public String toString() {
		return this.service + " " + this.status + " (binder " + this.binder + ", redis " + this.redis + ")";
	}

	/**
	 * Poll the health of every service (all at once, every half second) until each of them has
	 * been seen in a state.
	 * @param services the services
	 * @param state the state, e.g. {@link #down()}
	 * @param what the state in words, for the failure message
	 * @param since a {@link System#nanoTime()} the delays are measured from
	 * @param timeout how long to wait
	 * @return per service, seconds from {@code since} to the first poll that saw it in the state
	 * @throws AssertionError naming each service's last health when one never was
	 */
	static Map<String, Double> awaitEach(List<ServiceProcess> services, Predicate<ServiceHealth> state, String what,
			long since, Duration timeout) {
		Map<String, Double> seen = new ConcurrentHashMap<>();
		Map<String, ServiceHealth> last = new ConcurrentHashMap<>();
		List<Callable<ServiceHealth>> polls = services.stream().<Callable<ServiceHealth>>map(s -> () -> of(s)).toList();
		try {
			await(what).atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> {
				for (ServiceHealth health : FaultOracle.runAll(polls)) {
					last.put(health.service(), health);
					if (state.test(health)) {
						seen.putIfAbsent(health.service(), (System.nanoTime() - since) / 1e9);
					}
				}
				return seen.size() == services.size();
			});
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError("Not every service was seen " + what + " within " + timeout.toSeconds()
					+ " s; seen: " + seen.keySet() + ", last health: " + last.values(), ex);
		}
		Map<String, Double> ordered = new LinkedHashMap<>();
		services.forEach(service -> ordered.put(service.name(), seen.get(service.name())));
		return ordered;
	}

	/**
	 * @param seconds per service, what {@link #awaitEach} returned
	 * @return the same, for the oracle line: {@code {inventory=7.6, notification=7.6, order=7.7}}
	 */
	static Map<String, String> rounded(Map<String, Double> seconds) {
		Map<String, String> rounded = new TreeMap<>();
		seconds.forEach((service, value) -> rounded.put(service.replace("-app", ""), String.format("%.1f", value)));
		return rounded;
	}

}
