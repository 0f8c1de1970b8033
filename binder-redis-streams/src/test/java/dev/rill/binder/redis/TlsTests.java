package dev.rill.binder.redis;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.rill.binder.redis.provisioning.RedisConnectionProblem;
import dev.rill.binder.redis.provisioning.RedisStartupConnectionException;
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
import static org.assertj.core.api.Assertions.catchThrowable;
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
	 * Redis drops a plain connection to its TLS port at once (its log: "wrong version
	 * number"), which the client sees as a reset connection, not as a TLS problem: the
	 * startup check tells it from a Redis that is down (which refuses, or does not answer)
	 * and fails the start saying to turn TLS on.
	 */
	@Test
	void plainTcpToTheTlsPortFailsTheStartSayingToTurnTlsOn(CapturedOutput output) throws IOException {
		Map<String, Object> plaintext = Map.of("spring.data.redis.host", redis.host(), "spring.data.redis.port",
				redis.port());

		Throwable failure = catchThrowable(() -> start(plaintext));

		assertThat(TestApplications.causeOfFailedStart(failure, RedisStartupConnectionException.class).getProblem())
			.isEqualTo(RedisConnectionProblem.CLOSED_BEFORE_REPLY);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("closed it before answering")
			.contains("turn TLS on: use a rediss:// URL in spring.data.redis.url");
		assertThat(Files.readString(redis.server().logFile()))
			.contains("Error accepting a client connection")
			.contains("wrong version number");
	}

	/** The other way round, TLS to a port that speaks plain TCP, fails the TLS handshake. */
	@Test
	void tlsToAPlainPortFailsTheStartWithTheHandshakeFailure(CapturedOutput output) {
		try (RedisServerProcess plain = RedisServerProcess.builder().build().start()) {
			Map<String, Object> properties = new LinkedHashMap<>(redis.server().springSslProperties());
			properties.put("spring.data.redis.host", plain.host());
			properties.put("spring.data.redis.port", plain.port());

			Throwable failure = catchThrowable(() -> start(properties));

			assertThat(TestApplications.causeOfFailedStart(failure, RedisStartupConnectionException.class).getProblem())
				.isEqualTo(RedisConnectionProblem.TLS_HANDSHAKE);
			assertThat(output).contains("APPLICATION FAILED TO START")
				.contains("The TLS handshake with Redis failed")
				.contains("turn TLS off");
		}
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
