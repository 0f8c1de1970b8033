package dev.rill.binder.redis.properties;

import dev.rill.binder.redis.DiscardingSinkApplication;
import dev.rill.binder.redis.TestApplications;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A wrong binder property fails the application's startup with a message naming the
 * property and saying what is wrong with its value.
 */
class BindingPropertiesValidationTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	@ParameterizedTest(name = "{0}={1}")
	@CsvSource(delimiter = '|', textBlock = """
			spring.cloud.stream.redis.bindings.sink-in-0.consumer.read-count      | 0         | must be at least 1
			spring.cloud.stream.redis.bindings.sink-in-0.consumer.read-count      | -5        | must be at least 1
			spring.cloud.stream.redis.bindings.sink-in-0.consumer.max-deliveries  | -1        | must be at least 1
			spring.cloud.stream.redis.bindings.sink-in-0.consumer.start-position  | yesterday | is not a start position
			spring.cloud.stream.redis.bindings.sink-in-0.consumer.block-time      | -1s       | must not be negative
			spring.cloud.stream.redis.bindings.sink-in-0.consumer.claim-idle-time | 0s        | must be a positive duration
			spring.cloud.stream.redis.bindings.sink-in-0.consumer.ack-batch-size  | 500       | must not exceed read-count
			spring.cloud.stream.redis.default.consumer.read-count                 | 0         | must be at least 1
			spring.cloud.stream.redis.bindings.out-0.producer.max-length          | 0         | must be at least 1
			spring.cloud.stream.redis.bindings.out-0.producer.send-timeout        | 0s        | must be a positive duration
			spring.cloud.stream.redis.binder.health-timeout                       | -2s       | must be a positive duration
			""")
	void aWrongValueFailsStartupNamingTheProperty(String property, String value, String reason) {
		assertThatThrownBy(() -> TestApplications.start(DiscardingSinkApplication.class, redis.springProperties(),
				"spring.cloud.stream.bindings.sink-in-0.destination=validation", property + "=" + value)
			.close()).hasStackTraceContaining(property)
			.hasStackTraceContaining(reason);
	}

	@Test
	void maxLengthAndRetentionTogetherFailStartupSinceRedisTrimsByOneOfThemPerWrite() {
		assertThatThrownBy(() -> TestApplications.start(DiscardingSinkApplication.class, redis.springProperties(),
				"spring.cloud.stream.bindings.sink-in-0.destination=validation",
				"spring.cloud.stream.redis.bindings.out-0.producer.max-length=5",
				"spring.cloud.stream.redis.bindings.out-0.producer.retention=1h")
			.close()).hasStackTraceContaining("spring.cloud.stream.redis.bindings.out-0.producer.retention")
			.hasStackTraceContaining("cannot be combined with max-length");
	}

}
