package dev.rill.order;

import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared configuration is packaged as {@code classpath:rill/} and imported by the
 * service's application.yml, profile-specific variants included.
 */
class ConfigImportTests {

	@Test
	void withoutProfileTheSharedConfigurationSelectsRedis() {
		try (ConfigurableApplicationContext context = start()) {
			Environment env = context.getEnvironment();
			assertThat(env.getProperty("spring.cloud.stream.default-binder")).isEqualTo("redis");
			assertThat(env.getProperty("spring.cloud.stream.redis.default.producer.sync")).isEqualTo("true");
			assertThat(env.getProperty("spring.application.name")).isEqualTo("order-app");
			assertThat(env.getProperty("spring.cloud.stream.bindings.placeOrder-out-0.destination")).isEqualTo("orders");
		}
	}

	@Test
	void theKafkaProfileAlsoLoadsTheSharedKafkaFile() {
		try (ConfigurableApplicationContext context = start("kafka")) {
			Environment env = context.getEnvironment();
			assertThat(env.getProperty("spring.cloud.stream.default-binder")).isEqualTo("kafka");
			assertThat(env.getProperty("spring.cloud.stream.kafka.default.producer.sync")).isEqualTo("true");
			assertThat(env.getProperty("spring.cloud.function.definition")).isEqualTo("confirmOrder;projectOrder");
		}
	}

	private static ConfigurableApplicationContext start(String... profiles) {
		return new SpringApplicationBuilder(Empty.class).web(WebApplicationType.NONE)
			.profiles(profiles)
			.properties("spring.main.banner-mode=off")
			.run();
	}

	/** Nothing but the environment (not a @SpringBootConfiguration: the other tests look for the one). */
	static class Empty {

	}

}
