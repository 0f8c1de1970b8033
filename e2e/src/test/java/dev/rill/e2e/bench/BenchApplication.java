package dev.rill.e2e.bench;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Spring Cloud Stream application of the binder runs: a consumer named {@code sink} bound
 * to the benchmark's destination in group {@code bench}; the producer is {@code StreamBridge}
 * (see {@link BinderTransport}) or, with {@code bench.producer=supplier}, a
 * {@code Supplier<Flux<byte[]>>} named {@code source} fed by a {@link FluxProducer}. The binder is
 * chosen by {@code spring.cloud.stream.default-binder}.
 * <p>
 * The consumer is a {@code Consumer<byte[]>}, invoked once per message; with
 * {@code bench.batch=true} a {@code Consumer<List<byte[]>>} in batch mode, invoked once per
 * read (Redis) or poll (Kafka), which shows what the per-message cost of function invocation
 * is on the consumer's side.
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
class BenchApplication {

	@Bean
	@ConditionalOnProperty(name = "bench.batch", havingValue = "false", matchIfMissing = true)
	Consumer<byte[]> sink(Tally tally) {
		return tally::receive;
	}

	@Bean
	@ConditionalOnProperty(name = "bench.producer", havingValue = BenchSettings.SUPPLIER_PRODUCER)
	FluxProducer fluxProducer() {
		return new FluxProducer();
	}

	@Bean
	@ConditionalOnProperty(name = "bench.producer", havingValue = BenchSettings.SUPPLIER_PRODUCER)
	Supplier<Flux<byte[]>> source(FluxProducer producer) {
		return producer::payloads;
	}

	@Bean("sink")
	@ConditionalOnProperty(name = "bench.batch", havingValue = "true")
	Consumer<List<byte[]>> batchSink(Tally tally) {
		return payloads -> payloads.forEach(tally::receive);
	}

}
