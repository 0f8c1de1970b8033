package dev.rill.binder.redis.diagnostics;

import java.util.Properties;

import dev.rill.binder.redis.DiscardingSinkApplication;
import dev.rill.binder.redis.TestApplications;
import dev.rill.binder.redis.provisioning.RedisVersionVerifier;
import dev.rill.binder.redis.provisioning.StreamKeyTypeException;
import dev.rill.binder.redis.provisioning.UnsupportedRedisVersionException;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisServerCommands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * The binder's startup failures end with Spring Boot's "APPLICATION FAILED TO START"
 * report, whose description says what is wrong and whose action says what to change.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureAnalysisTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	@BeforeEach
	void reset() {
		redis.flushAll();
	}

	@Test
	void aDestinationKeyThatIsNotAStreamIsExplainedWithKeyTypeBindingPropertyAndWhatToDo(CapturedOutput output) {
		redis.server().command("SET", "work", "not a stream");

		Throwable failure = catchThrowable(() -> start("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=work",
				"spring.cloud.stream.bindings.sink-in-0.group=workers").close());

		FailureAnalysis analysis = new StreamKeyTypeFailureAnalyzer().analyze(failure);
		assertThat(analysis).isNotNull();
		assertThat(analysis.getDescription()).isEqualTo("The Redis key 'work' holds a string, not a stream, so the "
				+ "Redis Streams binder cannot use it for binding 'sink-in-0', whose destination "
				+ "(spring.cloud.stream.bindings.sink-in-0.destination) maps to that key. "
				+ "The binder never overwrites a key that is not a stream.");
		assertThat(analysis.getAction()).contains("choose another destination with "
				+ "spring.cloud.stream.bindings.sink-in-0.destination")
			.contains("set spring.cloud.stream.redis.binder.key-prefix")
			.contains("redis-cli DEL work");
		// Registered in spring.factories: Spring Boot printed the analysis itself.
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("The Redis key 'work' holds a string, not a stream")
			.contains("redis-cli DEL work");
	}

	@Test
	void aKeyOfTheWrongTypeMetByAProvisioningWithoutBindingIsStillExplained() {
		FailureAnalysis analysis = new StreamKeyTypeFailureAnalyzer()
			.analyze(new IllegalStateException("wrapped", new StreamKeyTypeException("prod:orders", "hash")));

		assertThat(analysis.getDescription()).startsWith("The Redis key 'prod:orders' holds a hash, not a stream, "
				+ "so the Redis Streams binder cannot use it as a stream.");
		assertThat(analysis.getAction()).contains("spring.cloud.stream.bindings.<binding>.destination")
			.contains("redis-cli DEL prod:orders");
	}

	@Test
	void aServerOlderThan62IsExplainedWithItsVersionAndWhatToDo() {
		RedisVersionVerifier verifier = new RedisVersionVerifier(reportingVersion("redis_version", "6.0.16"));

		Throwable failure = catchThrowable(verifier::afterSingletonsInstantiated);

		assertThat(failure).isInstanceOf(UnsupportedRedisVersionException.class)
			.hasMessage("Redis 6.0.16 is too old for the Redis Streams binder, which needs Redis 6.2 or newer");
		FailureAnalysis analysis = new UnsupportedRedisVersionFailureAnalyzer()
			.analyze(new IllegalStateException("Failed to start bean 'inputBindingLifecycle'", failure));
		assertThat(analysis.getDescription()).isEqualTo("The Redis server runs version 6.0.16, but the Redis "
				+ "Streams binder needs Redis 6.2 or newer: it uses XAUTOCLAIM, XADD ... MINID and XPENDING ... IDLE, "
				+ "which older servers do not know.");
		assertThat(analysis.getAction()).isEqualTo("Upgrade the Redis server to 6.2 or newer, or point "
				+ "spring.data.redis.* (url, or host and port) at a server that is.");
	}

	@Test
	void everyNodeOfAClusterIsChecked() {
		RedisVersionVerifier verifier = new RedisVersionVerifier(reportingVersion("127.0.0.1:7000.redis_version",
				"7.2.4", "127.0.0.1:7001.redis_version", "6.0.9"));

		assertThat(catchThrowable(verifier::afterSingletonsInstantiated))
			.isInstanceOf(UnsupportedRedisVersionException.class)
			.hasMessageStartingWith("Redis 6.0.9 is too old");
	}

	@Test
	void aServerThatCannotBeReachedIsNotReportedByTheVersionCheck() {
		RedisConnectionFactory unreachable = mock(RedisConnectionFactory.class);
		given(unreachable.getConnection()).willThrow(new RedisConnectionFailureException("Unable to connect"));

		new RedisVersionVerifier(unreachable).afterSingletonsInstantiated();
	}

	@Test
	void theRedis7OfTheTestsPassesTheVersionCheckAndTheApplicationStarts(CapturedOutput output) {
		assertThat(redis.server().version()).startsWith("7.");

		try (ConfigurableApplicationContext application = start("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=work",
				"spring.cloud.stream.bindings.sink-in-0.group=workers")) {
			assertThat(application.isRunning()).isTrue();
			new RedisVersionVerifier(application.getBean(RedisConnectionFactory.class)).afterSingletonsInstantiated();
		}
		assertThat(output).doesNotContain("too old").doesNotContain("Could not check the Redis server's version");
	}

	private static RedisConnectionFactory reportingVersion(String... fieldsAndValues) {
		Properties info = new Properties();
		for (int i = 0; i < fieldsAndValues.length; i += 2) {
			info.setProperty(fieldsAndValues[i], fieldsAndValues[i + 1]);
		}
		info.setProperty("redis_mode", "standalone");
		RedisServerCommands server = mock(RedisServerCommands.class);
		given(server.info("server")).willReturn(info);
		RedisConnection connection = mock(RedisConnection.class);
		given(connection.serverCommands()).willReturn(server);
		RedisConnectionFactory factory = mock(RedisConnectionFactory.class);
		given(factory.getConnection()).willReturn(connection);
		return factory;
	}

	private static ConfigurableApplicationContext start(String... properties) {
		return TestApplications.start(DiscardingSinkApplication.class, redis.springProperties(), properties);
	}

}
