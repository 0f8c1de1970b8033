package dev.rill.binder.redis;

import java.util.function.Consumer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * An application whose one function, {@code sink}, takes every message as a
 * {@code String} and does nothing with it: for tests about what happens around a consumer
 * binding (startup checks, property validation), not about what it consumes.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class DiscardingSinkApplication {

	@Bean
	Consumer<String> sink() {
		return payload -> {
		};
	}

}
