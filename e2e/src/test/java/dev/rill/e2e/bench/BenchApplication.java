package dev.rill.e2e.bench;

import java.util.function.Consumer;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Spring Cloud Stream application of the binder runs: a {@code Consumer<byte[]>} bound to
 * the benchmark's destination in group {@code bench}; the producer is {@code StreamBridge}
 * (see {@link BinderTransport}). The binder is chosen by {@code spring.cloud.stream.default-binder}.
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
class BenchApplication {

	@Bean
	Consumer<byte[]> sink(Tally tally) {
		return tally::receive;
	}

}
