package dev.rill.binder.redis.provisioning;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.rill.binder.redis.TestApplications;
import dev.rill.binder.redis.diagnostics.RedisStartupConnectionFailureAnalyzer;
import dev.rill.binder.redis.test.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The binder's first contact with Redis when it starts: a Redis that cannot be reached
 * lets the application start (its bindings bind when Redis comes) unless
 * {@code fail-fast} is set; a problem that waiting does not heal fails the start with an
 * explanation. (Wrong ACL credentials and TLS mismatches: {@code AclTests}, {@code TlsTests}.)
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisConnectionVerifierTests {

	static final List<String> received = new CopyOnWriteArrayList<>();

	private final List<AutoCloseable> resources = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
		received.clear();
	}

	@Test
	void anApplicationStartedBeforeRedisWarnsStartsAndBindsOnceRedisIsThere(CapturedOutput output) {
		RedisServerProcess redis = track(RedisServerProcess.builder().build());

		ConfigurableApplicationContext application = track(start(redis,
				"spring.cloud.stream.binding-retry-interval=1"));

		assertThat(output).contains("The Redis Streams binder could not talk to Redis at startup (UNREACHABLE)")
			.contains("Starting anyway: the bindings retry until Redis answers")
			.contains("spring.cloud.stream.redis.binder.fail-fast=true");
		redis.start();
		StreamBridge bridge = application.getBean(StreamBridge.class);
		// The output binding binds on its retry after Redis came: until then a send has no subscriber.
		await().ignoreExceptions().until(() -> bridge.send("out", "late"));
		await().until(() -> received.contains("late"));
	}

	@Test
	void withFailFastARedisThatCannotBeReachedFailsTheStart(CapturedOutput output) {
		RedisServerProcess redis = track(RedisServerProcess.builder().build());

		Throwable failure = catchThrowable(
				() -> track(start(redis, "spring.cloud.stream.redis.binder.fail-fast=true")));

		RedisStartupConnectionException cause = TestApplications.causeOfFailedStart(failure, RedisStartupConnectionException.class);
		assertThat(cause.getProblem()).isEqualTo(RedisConnectionProblem.UNREACHABLE);
		assertThat(cause.getReason()).contains("Connection refused");
		FailureAnalysis analysis = new RedisStartupConnectionFailureAnalyzer().analyze(failure);
		assertThat(analysis.getDescription()).startsWith("The Redis Streams binder could not reach Redis at startup")
			.endsWith("and spring.cloud.stream.redis.binder.fail-fast is true.");
		assertThat(output).contains("APPLICATION FAILED TO START").contains("Start Redis or point spring.data.redis.*");
	}

	@Test
	void aServerThatRequiresAPasswordNobodyGaveFailsTheStartEvenWithoutFailFast() {
		RedisServerProcess redis = track(RedisServerProcess.builder().build().start());
		assertThat(redis.command("CONFIG", "SET", "requirepass", "s3cret")).isEqualTo("OK");

		Throwable failure = catchThrowable(() -> track(start(redis)));

		RedisStartupConnectionException cause = TestApplications.causeOfFailedStart(failure, RedisStartupConnectionException.class);
		assertThat(cause.getProblem()).isEqualTo(RedisConnectionProblem.AUTHENTICATION);
		assertThat(cause.getReason()).startsWith("NOAUTH");
	}

	private static ConfigurableApplicationContext start(RedisServerProcess redis, String... properties) {
		List<String> all = new ArrayList<>(List.of("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=work",
				"spring.cloud.stream.bindings.sink-in-0.group=workers", "spring.cloud.stream.output-bindings=out",
				"spring.cloud.stream.bindings.out.destination=work", "spring.data.redis.timeout=2s",
				"spring.cloud.stream.redis.binder.shutdown-timeout=1s"));
		all.addAll(List.of(properties));
		return TestApplications.start(SinkApplication.class,
				Map.of("spring.data.redis.host", redis.host(), "spring.data.redis.port", redis.port()),
				all.toArray(String[]::new));
	}

	private <T extends AutoCloseable> T track(T resource) {
		this.resources.add(0, resource);
		return resource;
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class SinkApplication {

		@Bean
		Consumer<String> sink() {
			return received::add;
		}

	}

}
