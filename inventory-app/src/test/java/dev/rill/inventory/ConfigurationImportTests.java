package dev.rill.inventory;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service's {@code application.yml} imports the shared configuration packaged as
 * {@code classpath:rill/}, with its profile variants, and keeps its own settings.
 */
class ConfigurationImportTests {

	@Test
	void withoutProfileTheSharedConfigurationSelectsRedis() {
		StandardEnvironment environment = load();

		assertThat(environment.getProperty("spring.cloud.stream.default-binder")).isEqualTo("redis");
		assertThat(environment.getProperty("spring.cloud.stream.default.consumer.max-attempts")).isEqualTo("3");
		assertThat(environment.getProperty("spring.application.name")).isEqualTo("inventory-app");
		assertThat(environment.getProperty("server.port")).isEqualTo("8081");
		assertThat(environment.getProperty("spring.cloud.function.definition")).isEqualTo("reserveStock");
		assertThat(environment.getProperty("spring.cloud.stream.bindings.reserveStock-in-0.destination"))
			.isEqualTo("orders");
		assertThat(environment.getProperty("spring.cloud.stream.bindings.reserveStock-in-0.group"))
			.isEqualTo("inventory");
		assertThat(environment.getProperty("spring.cloud.stream.bindings.reserveStock-out-0.destination"))
			.isEqualTo("stock");
		assertThat(environment.getProperty("rill.inventory.key-prefix")).isEqualTo("inventory:");
	}

	@Test
	void theKafkaProfileLoadsTheSharedKafkaVariant() {
		StandardEnvironment environment = load("kafka");

		assertThat(environment.getProperty("spring.cloud.stream.default-binder")).isEqualTo("kafka");
		assertThat(environment.getProperty("spring.kafka.bootstrap-servers")).isNotBlank();
		assertThat(environment.getProperty("spring.application.name")).isEqualTo("inventory-app");
	}

	@Test
	void theLocalProfileLoadsTheSharedLocalVariant() {
		StandardEnvironment environment = load("local");

		assertThat(environment.getProperty("management.endpoint.health.show-details")).isEqualTo("always");
		assertThat(environment.getProperty("spring.cloud.stream.default-binder")).isEqualTo("redis");
	}

	private static StandardEnvironment load(String... profiles) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.setActiveProfiles(profiles);
		ConfigDataEnvironmentPostProcessor.applyTo(environment);
		return environment;
	}

}
