package dev.rill.binder.redis.endpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rill.binder.redis.StartedApplications;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint over HTTP, in a web application: every operation at its documented path and
 * method when {@code management.endpoints.web.exposure.include} names it, nothing when it
 * does not, and only the reads with {@code access=read-only}; and as an MBean.
 */
class RedisStreamsEndpointWebTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	private static final String DLQ = "work.workers.dlq";

	private final HttpClient http = HttpClient.newHttpClient();

	private final ObjectMapper json = new ObjectMapper();

	@RegisterExtension
	final StartedApplications applications = new StartedApplications(redis);

	private ConfigurableApplicationContext application;

	@Test
	void servesEveryOperationOverHttpWhenExposed() throws IOException {
		start("management.endpoints.web.exposure.include=redisstreams");
		for (int i = 1; i <= 4; i++) {
			redis.server().command(DeadLetters.xadd(DLQ, i + "-0", "work", "entry " + i));
		}
		redis.server().command("XGROUP", "CREATE", "work", "workers", "$", "MKSTREAM");

		HttpResponse<String> listing = request("GET", "", null);
		assertThat(listing.statusCode()).isEqualTo(200);
		JsonNode streams = this.json.readTree(listing.body()).get("streams");
		assertThat(streams.findValuesAsText("key")).containsExactly("work", DLQ);
		assertThat(streams.get(0).get("groups").get(0).get("name").asText()).isEqualTo("workers");

		HttpResponse<String> page = request("GET", "/" + DLQ + "?count=3", null);
		assertThat(page.statusCode()).isEqualTo(200);
		JsonNode pageBody = this.json.readTree(page.body());
		assertThat(pageBody.get("entries")).hasSize(3);
		assertThat(pageBody.get("entries").get(0).get("headers").get("x-original-stream").asText())
			.isEqualTo("work");
		assertThat(pageBody.get("next").asText()).isEqualTo("3-0");
		assertThat(this.json.readTree(request("GET", "/" + DLQ + "?after=3-0", null).body()).get("entries"))
			.hasSize(1);
		assertThat(request("GET", "/missing", null).statusCode()).isEqualTo(404);

		assertThat(request("POST", "/" + DLQ + "/replay", "{\"ids\":[\"2-0\"]}").statusCode())
			.as("Actuator reads flat JSON objects only").isEqualTo(400);
		HttpResponse<String> byId = request("POST", "/" + DLQ + "/replay", "{\"ids\":\"2-0,3-0\"}");
		assertThat(byId.statusCode()).isEqualTo(200);
		assertThat(this.json.readTree(byId.body()).get("replayed").asInt()).isEqualTo(2);
		assertThat(redis.server().command("XLEN", "work")).isEqualTo("2");

		HttpResponse<String> discarded = request("DELETE", "/" + DLQ + "/1-0", null);
		assertThat(discarded.statusCode()).isEqualTo(200);
		assertThat(this.json.readTree(discarded.body()).get("deleted").asInt()).isEqualTo(1);

		// A write operation with parameters wants a JSON body, "{}" at least (415 without).
		HttpResponse<String> all = request("POST", "/" + DLQ + "/replay", "{}");
		assertThat(all.statusCode()).isEqualTo(200);
		JsonNode allBody = this.json.readTree(all.body());
		assertThat(allBody.get("replayed").asInt()).isEqualTo(1);
		assertThat(allBody.get("failed")).isEmpty();
		assertThat(redis.server().command("XLEN", DLQ)).isEqualTo("0");

		HttpResponse<String> moved = request("POST", "/work/groups/workers", "{\"position\":\"earliest\"}");
		assertThat(moved.statusCode()).isEqualTo(200);
		assertThat(this.json.readTree(moved.body()).get("lastDeliveredId").asText()).isEqualTo("0-0");
		assertThat(this.json.readTree(moved.body()).get("lag").asInt()).isEqualTo(3);
		assertThat(request("POST", "/work/groups/workers", "{\"position\":\"yesterday\"}").statusCode())
			.isEqualTo(400);
		assertThat(request("POST", "/work/groups/workers", "{}").statusCode()).isEqualTo(400);
	}

	@Test
	void isNotThereUnlessExposed() {
		start();

		assertThat(request("GET", "", null).statusCode()).isEqualTo(404);
		assertThat(request("POST", "/" + DLQ + "/replay", null).statusCode()).isEqualTo(404);
		assertThat(this.application.getBeansOfType(RedisStreamsEndpoint.class)).isEmpty();
	}

	@Test
	void readOnlyAccessServesTheReadsOnly() {
		start("management.endpoints.web.exposure.include=redisstreams",
				"management.endpoint.redisstreams.access=read-only");
		redis.server().command(DeadLetters.xadd(DLQ, "1-0", "work", "entry"));

		assertThat(request("GET", "", null).statusCode()).isEqualTo(200);
		assertThat(request("GET", "/" + DLQ, null).statusCode()).isEqualTo(200);
		assertThat(request("POST", "/" + DLQ + "/replay", null).statusCode()).isIn(404, 405);
		assertThat(request("DELETE", "/" + DLQ + "/1-0", null).statusCode()).isIn(404, 405);
		assertThat(redis.server().command("XLEN", DLQ)).isEqualTo("1");
	}

	@Test
	@SuppressWarnings("unchecked")
	void isAnMBeanWhenExposedOverJmx() throws Exception {
		this.application = new SpringApplicationBuilder(WebApplication.class).web(WebApplicationType.NONE)
			.properties(properties("spring.jmx.enabled=true", "management.endpoints.jmx.exposure.include=redisstreams"))
			.run();
		redis.server().command(DeadLetters.xadd(DLQ, "1-0", "work", "entry"));
		MBeanServer server = this.application.getBean(MBeanServer.class);
		ObjectName name = new ObjectName("org.springframework.boot:type=Endpoint,name=Redisstreams");

		Map<String, Object> listing = (Map<String, Object>) server.invoke(name, "streams", new Object[0],
				new String[0]);
		Map<String, Object> replay = (Map<String, Object>) server.invoke(name, "replay",
				new Object[] { DLQ, "replay", null },
				new String[] { String.class.getName(), String.class.getName(), String.class.getName() });

		assertThat((List<Map<String, Object>>) listing.get("streams")).singleElement()
			.satisfies(stream -> assertThat(stream).containsEntry("key", DLQ));
		assertThat(replay).containsEntry("replayed", 1);
	}

	private void start(String... extra) {
		this.application = this.applications.closedAfterTheTest(new SpringApplicationBuilder(WebApplication.class)
			.web(WebApplicationType.SERVLET)
			.properties(properties(extra))
			.run());
	}

	private static String[] properties(String... extra) {
		List<String> properties = new ArrayList<>();
		redis.springProperties().forEach((key, value) -> properties.add(key + "=" + value));
		properties.addAll(List.of("server.port=0", "spring.main.banner-mode=off",
				"spring.cloud.stream.default-binder=redis"));
		properties.addAll(List.of(extra));
		return properties.toArray(String[]::new);
	}

	private HttpResponse<String> request(String method, String path, String body) {
		int port = ((WebServerApplicationContext) this.application).getWebServer().getPort();
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/redisstreams" + path))
			.method(method, (body != null) ? BodyPublishers.ofString(body) : BodyPublishers.noBody());
		if (body != null) {
			request.header("Content-Type", "application/json");
		}
		try {
			return this.http.send(request.build(), BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class WebApplication {

	}

}
