package dev.rill.e2e.bench;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The producer of the binder runs with {@code bench.producer=supplier}: the benchmark's
 * producer thread emits each payload into a {@code Supplier<Flux<byte[]>>} that Spring Cloud
 * Stream subscribed to once, instead of calling {@code StreamBridge.send} per message.
 */
final class FluxProducer {

	/** One emitting thread (the worker's), one subscriber (the binding). */
	private final Sinks.Many<byte[]> payloads = Sinks.many().unicast().onBackpressureBuffer();

	/**
	 * @return the payloads, for the binding to subscribe to
	 */
	Flux<byte[]> payloads() {
		return this.payloads.asFlux();
	}

	/**
	 * @param payload the next payload
	 * @return whether it was accepted
	 */
	boolean send(byte[] payload) {
		return this.payloads.tryEmitNext(payload).isSuccess();
	}

}
