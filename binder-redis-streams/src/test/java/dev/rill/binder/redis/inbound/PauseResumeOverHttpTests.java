package dev.rill.binder.redis.inbound;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.rill.binder.redis.TestApplications;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pausing and resuming a consumer binding the way an operator does: over HTTP, through
 * Spring Cloud Stream's {@code bindings} actuator endpoint. While paused the binding
 * reads nothing (entries added meanwhile wait in the stream); resumed, it consumes them.
 */
class PauseResumeOverHttpTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	private static final List<String> consumed = new CopyOnWriteArrayList<>();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private ConfigurableApplicationContext application;

	private String bindingUrl;

	@BeforeEach
	void start() {
		redis.flushAll();
		consumed.clear();
		this.application = TestApplications.startWithWebServer(SinkApplication.class, redis.springProperties(),
				"spring.cloud.function.definition=sink", "spring.cloud.stream.bindings.sink-in-0.destination=work",
				"spring.cloud.stream.bindings.sink-in-0.group=workers",
				"management.endpoints.web.exposure.include=bindings");
		int port = this.application.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
		this.bindingUrl = "http://127.0.0.1:" + port + "/actuator/bindings/sink-in-0";
	}

	@AfterEach
	void close() {
		if (this.application != null) {
			this.application.close();
		}
	}

	@Test
	void pausedOverHttpItConsumesNothingAndResumedItConsumesWhatArrivedMeanwhile() throws Exception {
		xadd("before");
		await().until(() -> consumed.contains("before"));

		assertThat(post("{\"state\":\"PAUSED\"}").statusCode()).isEqualTo(204);
		assertThat(get().body()).contains("\"state\":\"paused\"").contains("\"paused\":true");

		xadd("during-1");
		xadd("during-2");
		await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> consumed.size() == 1);
		// The entries wait: unread by the group, or read by a read that was already blocking
		// when the pause came and is held back (pending) until the binding resumes.
		List<String> group = List.of(redis.server().command("XINFO", "GROUPS", "work").split("\n"));
		long lag = Long.parseLong(group.get(group.indexOf("lag") + 1));
		long pending = Long.parseLong(group.get(group.indexOf("pending") + 1));
		assertThat(lag + pending).as("entries waiting (lag + pending)").isEqualTo(2);

		assertThat(post("{\"state\":\"RESUMED\"}").statusCode()).isEqualTo(204);

		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(consumed).containsExactly("before", "during-1", "during-2"));
		assertThat(get().body()).contains("\"state\":\"running\"").contains("\"paused\":false");
	}

	private static void xadd(String payload) {
		redis.server().command("XADD", "work", "*", "payload", payload, "contentType", "text/plain");
	}

	private HttpResponse<String> post(String body) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create(this.bindingUrl))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> get() throws IOException, InterruptedException {
		HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(URI.create(this.bindingUrl)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response;
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class SinkApplication {

		@Bean
		Consumer<String> sink() {
			return consumed::add;
		}

	}

}
