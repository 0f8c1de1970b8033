package dev.rill.notification.config;

import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service's application.yml imports the shared configuration packaged as
 * {@code classpath:rill/}, including its profile-specific files.
 */
class ConfigImportTests {

	@Test
	void sharedConfigurationIsImported() {
		try (ConfigurableApplicationContext context = run()) {
			Environment env = context.getEnvironment();
			assertThat(env.getProperty("spring.application.name")).isEqualTo("notification-app");
			assertThat(env.getProperty("server.port")).isEqualTo("8082");
			assertThat(env.getProperty("spring.cloud.stream.default-binder")).isEqualTo("redis");
			assertThat(env.getProperty("spring.cloud.stream.redis.default.consumer.enable-dlq")).isEqualTo("true");
			assertThat(env.getProperty("management.health.circuitbreakers.enabled")).isEqualTo("true");
			// Channel failures belong to Resilience4j: the binding itself tries once.
			assertThat(env.getProperty("spring.cloud.stream.bindings.notify-in-0.consumer.max-attempts"))
				.isEqualTo("1");
		}
	}

	@Test
	void kafkaProfileLoadsTheSharedKafkaFile() {
		try (ConfigurableApplicationContext context = run("kafka")) {
			assertThat(context.getEnvironment().getProperty("spring.cloud.stream.default-binder")).isEqualTo("kafka");
			assertThat(context.getEnvironment().getProperty("spring.kafka.bootstrap-servers")).isNotBlank();
		}
	}

	private static ConfigurableApplicationContext run(String... profiles) {
		return new SpringApplicationBuilder(Empty.class).web(WebApplicationType.NONE)
			.profiles(profiles)
			.properties("spring.main.banner-mode=off")
			.run();
	}

	@Configuration(proxyBeanMethods = false)
	static class Empty {

	}

}
