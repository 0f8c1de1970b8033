package dev.rill.e2e.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rill.e2e.faults.OrderLoad.Attempt;
import dev.rill.e2e.platform.ServiceProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The notification channel down for a minute, on the Redis binder: notification-app is
 * restarted with its {@code webhook} channel pointed at a {@link WebhookReceiver} in the test
 * JVM, orders keep coming (10 a second), and the receiver answers 503 for 60 s, then 200 again.
 * <p>
 * What must happen (the deployed configuration of {@code notification-app/application.yml}):
 * the circuit breaker {@code notificationChannel} opens, which pauses the binding
 * {@code notify-in-0} (seen in {@code /actuator/bindings}) so the notices wait in
 * {@code order-status}; nothing is dead-lettered; the breaker half-opens every
 * {@code wait-duration-in-open-state} (30 s) to try the channel; once the channel answers again
 * the binding resumes and every accepted order is notified exactly once (one 200 per notice),
 * with the oracle's checks on top. The attempts the outage costs are bounded by the breaker, not
 * by the number of notices waiting: the failures that open a closed breaker (at most
 * {@code failure-rate-threshold} x {@code sliding-window-size} = 50% x 20 = 10; 5,
 * {@code minimum-number-of-calls}, from a fresh breaker) plus the trial calls of each
 * {@code HALF_OPEN} in the outage ({@code permitted-number-of-calls-in-half-open-state} 2, at most
 * ceil(60 s / 30 s) = 2 of them): {@value #MAX_FAILED_CALLS} requests answered 503 at most.
 * <p>
 * notification-app is started again with the shared platform's settings (the {@code log}
 * channel) at the end.
 */
// Opt-in (about 1-2 minutes): keeps ./mvnw verify well under 20 minutes on two cores;
// run with -Dgroups=slow -DexcludedGroups=benchmark (README, Fault injection).
@Tag("slow")
@ExtendWith(FaultPlatform.class)
class NotificationOutageTests {

	private static final Duration OUTAGE = Duration.ofSeconds(60);

	/** 50% of a window of 20 to open it, then 2 trial calls in each of at most 2 half-open states. */
	private static final int MAX_FAILED_CALLS = 10 + 2 * 2;

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@Test
	void webhookDownForAMinuteOpensTheBreakerPausesTheBindingAndEveryNoticeIsSentOnceAfterwards(
			FaultPlatform faults) {
		ServiceProcess notification = faults.platform().notification();
		try (WebhookReceiver webhook = WebhookReceiver.start()) {
			notification.stop();
			notification.startWith(List.of("--rill.notification.channel=webhook",
					"--rill.notification.webhook.url=" + webhook.url(),
					"--management.endpoints.web.exposure.include=health,info,bindings"))
				.awaitHealthy(FaultPlatform.STARTUP);
			try {
				outage(faults, notification, webhook);
			}
			finally {
				notification.stop();
				notification.start().awaitHealthy(FaultPlatform.STARTUP);
			}
		}
	}

	private static void outage(FaultPlatform faults, ServiceProcess notification, WebhookReceiver webhook) {
		FaultOracle oracle = FaultOracle.begin(faults, "webhook channel down 60 s");
		String run = "webhook-" + ThreadLocalRandom.current().nextInt(1000, 10000);
		List<String> timeline = new ArrayList<>();
		try (OrderLoad load = new OrderLoad(run, faults.client(), 2, 10, 5000).start()) {
			load.awaitAccepted(30, Duration.ofSeconds(60));
			long start = System.nanoTime();
			webhook.outage(OUTAGE);
			State[] last = { null };
			boolean[] pausedWhileOpen = { false };
			// Watch the breaker and the binding until the channel is back and the breaker closed
			// with the binding running again; note every change.
			await("the outage, then recovery").atMost(OUTAGE.plus(Duration.ofSeconds(90)))
				.pollInterval(Duration.ofMillis(250))
				.until(() -> {
					State now = State.of(notification);
					if (!now.equals(last[0])) {
						timeline.add(String.format("%.1f s %s", (System.nanoTime() - start) / 1e9, now));
						last[0] = now;
					}
					pausedWhileOpen[0] |= now.breaker().equals("OPEN") && now.binding().equals("paused");
					return !webhook.down() && now.breaker().equals("CLOSED") && now.binding().equals("running");
				});
			double recovered = (System.nanoTime() - start) / 1e9;
			load.awaitAccepted((int) load.acceptedCount() + 50, Duration.ofSeconds(60)).stop();
			assertThat(pausedWhileOpen[0]).as("binding paused while the breaker was open; timeline %s", timeline).isTrue();

			// The notices that waited out the outage are sent now: wait until each accepted order has
			// had its 200 (or the time is up and the assertion below shows which have not).
			List<String> orderIds = load.accepted().stream().map(Attempt::orderId).toList();
			await("every accepted order's notice accepted by the webhook").atMost(Duration.ofSeconds(90))
				.pollInterval(Duration.ofMillis(500))
				.until(() -> notSentOnce(webhook.answers(), orderIds).isEmpty());
			long failed = webhook.answered(503);
			oracle.verify(load, String.format("503 answered %d (bound %d), 200 answered %d; breaker and binding %s;"
					+ " breaker closed and binding running %.1f s after the outage began", failed, MAX_FAILED_CALLS,
					webhook.answered(200), timeline, recovered));
			assertThat(failed).as("requests answered 503 during the outage (%s)", timeline)
				.isBetween(1L, (long) MAX_FAILED_CALLS);
			assertThat(notSentOnce(webhook.answers(), orderIds)).as("accepted orders not accepted exactly once by the webhook")
				.isEmpty();
		}
	}

	/** The orders whose notices the webhook did not answer 200 exactly once. */
	private static List<String> notSentOnce(Map<String, List<Integer>> answers, List<String> orderIds) {
		Map<String, Long> accepted = answers.entrySet()
			.stream()
			.filter(notice -> notice.getKey().contains(":"))
			.collect(Collectors.groupingBy(notice -> notice.getKey().substring(0, notice.getKey().lastIndexOf(':')),
					Collectors.summingLong(notice -> notice.getValue().stream().filter(status -> status == 200).count())));
		return orderIds.stream().filter(orderId -> accepted.getOrDefault(orderId, 0L) != 1).toList();
	}

	/**
	 * What notification-app shows at one moment.
	 * @param breaker the state of the breaker {@code notificationChannel} in {@code /actuator/health}
	 * @param binding the state of {@code notify-in-0} in {@code /actuator/bindings}
	 */
	private record State(String breaker, String binding) {

		static State of(ServiceProcess notification) {
			JsonNode health = get(notification.uri("/actuator/health"));
			JsonNode bindings = get(notification.uri("/actuator/bindings"));
			String binding = "absent";
			for (JsonNode node : bindings) {
				if ("notify-in-0".equals(node.path("bindingName").asText())) {
					binding = node.path("state").asText();
				}
			}
			return new State(health.path("components")
				.path("circuitBreakers")
				.path("details")
				.path("notificationChannel")
				.path("details")
				.path("state")
				.asText("unknown"), binding);
		}

		@Override
		public String toString() {
			return this.breaker + "/" + this.binding;
		}

	}

	private static JsonNode get(URI uri) {
		try {
			HttpResponse<String> response = HTTP.send(
					HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
					HttpResponse.BodyHandlers.ofString());
			return JSON.readTree(response.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("GET " + uri, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
