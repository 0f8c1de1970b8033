package dev.rill.binder.redis.provisioning;

import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.rill.binder.redis.TestApplications;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A destination whose Redis key holds something other than a stream fails the start of
 * the application with a message naming the key, its type and the binding's property,
 * instead of a binding that retries forever; an absent key or a stream is fine.
 */
class DestinationKeyTypeVerifierTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	@BeforeEach
	void reset() {
		redis.flushAll();
	}

	@Test
	void consumerDestinationHoldingAStringFailsStartupNamingKeyTypeAndProperty() {
		redis.server().command("SET", "work", "not a stream");

		assertThatThrownBy(() -> start("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=work",
				"spring.cloud.stream.bindings.sink-in-0.group=workers").close())
			.hasStackTraceContaining("Redis key 'work' exists but holds a string, not a stream")
			.hasStackTraceContaining("spring.cloud.stream.bindings.sink-in-0.destination");
	}

	@Test
	void aPartitionKeyOfAProducerDestinationHoldingAHashFailsStartup() {
		redis.server().command("HSET", "orders:1", "field", "value");

		assertThatThrownBy(() -> start("spring.cloud.function.definition=source",
				"spring.cloud.stream.bindings.source-out-0.destination=orders",
				"spring.cloud.stream.bindings.source-out-0.producer.partition-count=2",
				"spring.cloud.stream.bindings.source-out-0.producer.partition-key-expression=headers['id']",
				"spring.cloud.stream.poller.fixed-delay=1h").close())
			.hasStackTraceContaining("Redis key 'orders:1' exists but holds a hash, not a stream")
			.hasStackTraceContaining("spring.cloud.stream.bindings.source-out-0.destination");
	}

	@Test
	void existingStreamsAndAbsentKeysStartNormally() {
		redis.server().command("XADD", "work", "*", "payload", "x");

		try (ConfigurableApplicationContext application = start("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=work,fresh",
				"spring.cloud.stream.bindings.sink-in-0.group=workers")) {
			assertThat(application.isRunning()).isTrue();
		}
		assertThat(redis.server().command("TYPE", "fresh")).isEqualTo("stream");
	}

	@Test
	void aKeyOfTheWrongTypeOnABindingOfAnotherBinderIsNotThisBindersConcern() {
		redis.server().command("SET", "elsewhere", "not a stream");

		try (ConfigurableApplicationContext application = start("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=work",
				"spring.cloud.stream.bindings.unused-in-0.destination=elsewhere",
				"spring.cloud.stream.bindings.unused-in-0.binder=other")) {
			assertThat(application.isRunning()).isTrue();
		}
	}

	private static ConfigurableApplicationContext start(String... properties) {
		return TestApplications.start(Functions.class, redis.springProperties(), properties);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Functions {

		@Bean
		Consumer<String> sink() {
			return payload -> {
			};
		}

		@Bean
		Supplier<String> source() {
			return () -> "tick";
		}

	}

}
