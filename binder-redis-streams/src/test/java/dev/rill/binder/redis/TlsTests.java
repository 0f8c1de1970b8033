package dev.rill.binder.redis;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.rill.binder.redis.test.RedisServerExtension;
import dev.rill.binder.redis.test.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.stream.config.BindersHealthIndicatorAutoConfiguration.BindersHealthContributor;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.messaging.Message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The binder on a Redis that listens only for TLS ({@code --port 0 --tls-port}), its
 * certificate signed by a private CA: Spring Boot's Lettuce connection trusts the CA
 * through an SSL bundle ({@code spring.data.redis.ssl.bundle}, PEM trust store) and the
 * binder needs nothing else. A client that speaks plain TCP to the TLS port is refused.
 */
@ExtendWith(OutputCaptureExtension.class)
class TlsTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.of(RedisServerProcess.builder().tls());

	static final List<Message<String>> received = new CopyOnWriteArrayList<>();

	private final List<ConfigurableApplicationContext> applications = new ArrayList<>();

	@BeforeEach
	void reset() {
		redis.flushAll();
		received.clear();
	}

	@AfterEach
	void close() {
		this.applications.forEach(ConfigurableApplicationContext::close);
	}

	/**
	 * {@code rediss://} in {@code spring.data.redis.url}, or host and port with only the SSL
	 * bundle (which turns SSL on by itself); either way the bundle says whom to trust.
	 */
	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "url", "host and port" })
	void aProducerAndAConsumerGroupMoveMessagesOverTlsWithAnSslBundleThatTrustsTheServersCa(String form) {
		Map<String, Object> properties = new LinkedHashMap<>(redis.server().springSslProperties());
		if (form.equals("url")) {
			properties.put("spring.data.redis.url", redis.uri());
		}
		else {
			properties.putAll(redis.springProperties());
		}
		assertThat(properties).containsEntry("spring.data.redis.ssl.bundle", RedisServerProcess.SSL_BUNDLE)
			.doesNotContainKey("spring.data.redis.ssl.enabled");
		assertThat(redis.uri()).isEqualTo("rediss://127.0.0.1:" + redis.port());
		ConfigurableApplicationContext application = start(properties);
		StreamBridge bridge = application.getBean(StreamBridge.class);

		for (int i = 0; i < 5; i++) {
			assertThat(bridge.send("out", "tls-" + i)).isTrue();
		}

		await().until(() -> received.size() == 5);
		assertThat(received).extracting(Message::getPayload)
			.containsExactly("tls-0", "tls-1", "tls-2", "tls-3", "tls-4");
		assertThat(redis.server().command("XLEN", "secure")).isEqualTo("5");
		await().until(() -> redis.server().command("XPENDING", "secure", "workers").startsWith("0"));
		Health health = binderHealth(application);
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("redis", "up");
	}

	/**
	 * Observed: the application starts; Redis drops the connection at once (its log:
	 * "Error accepting a client connection: ... wrong version number"), so every binding
	 * fails to bind with "Unable to connect to 127.0.0.1...: Connection reset" and is retried
	 * every 30 s, and the binder's health is DOWN, "unreachable". Nothing the application
	 * logs says TLS or SSL: from the client's side it looks like a Redis that is down.
	 */
	@Test
	void plainTcpToTheTlsPortLetsTheApplicationStartWithBindingsFailingOnConnectionResetsThatDoNotNameTls(
			CapturedOutput output) throws IOException {
		Map<String, Object> plaintext = Map.of("spring.data.redis.host", redis.host(), "spring.data.redis.port",
				redis.port());

		ConfigurableApplicationContext application = start(plaintext);

		Health health = binderHealth(application);
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails().get("redis")).asString().startsWith("unreachable: ");
		assertThat(output)
			.contains("Could not check the Redis server's version now (Unable to connect to Redis)")
			.contains("Failed to create producer binding; retrying in 30 seconds")
			.contains("Failed to create consumer binding; retrying in 30 seconds")
			.contains("Caused by: io.lettuce.core.RedisConnectionException: Unable to connect to 127.0.0.1")
			.doesNotContain("TLS")
			.doesNotContain("SSL");
		assertThat(Files.readString(redis.server().logFile()))
			.contains("Error accepting a client connection")
			.contains("wrong version number");
	}

	private ConfigurableApplicationContext start(Map<String, Object> redisProperties) {
		ConfigurableApplicationContext application = TestApplications.start(SinkApplication.class, redisProperties,
				"spring.cloud.function.definition=sink", "spring.cloud.stream.bindings.sink-in-0.destination=secure",
				"spring.cloud.stream.bindings.sink-in-0.group=workers", "spring.cloud.stream.output-bindings=out",
				"spring.cloud.stream.bindings.out.destination=secure",
				"spring.cloud.stream.redis.bindings.out.producer.sync=true");
		this.applications.add(application);
		return application;
	}

	static Health binderHealth(ConfigurableApplicationContext application) {
		BindersHealthContributor binders = application.getBean(BindersHealthContributor.class);
		return ((HealthIndicator) binders.getContributor("redis")).health();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class SinkApplication {

		@Bean
		Consumer<Message<String>> sink() {
			return received::add;
		}

	}

}
