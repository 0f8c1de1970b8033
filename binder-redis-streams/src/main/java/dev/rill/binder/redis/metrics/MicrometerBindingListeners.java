package dev.rill.binder.redis.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import dev.rill.binder.redis.BindingListeners;
import dev.rill.binder.redis.inbound.ConsumerBindingListener;
import dev.rill.binder.redis.outbound.RedisStreamsMessageHandler.SendListener;

import org.springframework.data.redis.connection.stream.RecordId;

/**
 * Counts what happens to the binder's messages in Micrometer, per binding, tagged with
 * {@code destination} and (for consumers) {@code group}: never with anything per message,
 * so the number of time series stays that of the bindings.
 * <p>
 * Consumer meters ({@value #CONSUMER}{@code .*}): {@code consumed}, {@code failed} (the
 * failure was not recovered: logged, and acknowledged when there is no dead-letter
 * stream), {@code retried}, {@code dead.lettered}, {@code trimmed} (pending entries that
 * trimming deleted), {@code claimed} (taken over from idle consumers), and the timer
 * {@code handler}. Producer meters ({@value #PRODUCER}{@code .*}): {@code sent},
 * {@code send.failures}.
 */
public class MicrometerBindingListeners implements BindingListeners {

	/** Prefix of the consumer meters. */
	public static final String CONSUMER = "redis.streams.consumer";

	/** Prefix of the producer meters. */
	public static final String PRODUCER = "redis.streams.producer";

	private final MeterRegistry registry;

	private final Map<String, ConsumerBindingListener> consumers = new ConcurrentHashMap<>();

	private final Map<String, SendListener> producers = new ConcurrentHashMap<>();

	public MicrometerBindingListeners(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public ConsumerBindingListener consumer(String destination, String group) {
		return this.consumers.computeIfAbsent(destination + "\n" + group,
				unused -> new ConsumerMeters(Tags.of("destination", destination, "group", group)));
	}

	@Override
	public SendListener producer(String destination) {
		return this.producers.computeIfAbsent(destination, unused -> new ProducerMeters(Tags.of("destination", destination)));
	}

	private Counter counter(String name, String description, Tags tags) {
		return Counter.builder(name).description(description).tags(tags).register(this.registry);
	}

	private final class ConsumerMeters implements ConsumerBindingListener {

		private final Counter consumed;

		private final Counter failed;

		private final Counter retried;

		private final Counter deadLettered;

		private final Counter trimmed;

		private final Counter claimed;

		private final Timer handler;

		ConsumerMeters(Tags tags) {
			this.consumed = counter(CONSUMER + ".consumed", "Entries the handler processed successfully", tags);
			this.failed = counter(CONSUMER + ".failed", "Entries whose failure was not recovered", tags);
			this.retried = counter(CONSUMER + ".retried", "Handler attempts after a failure", tags);
			this.deadLettered = counter(CONSUMER + ".dead.lettered", "Entries written to the dead-letter stream",
					tags);
			this.trimmed = counter(CONSUMER + ".trimmed", "Pending entries deleted by trimming before processing",
					tags);
			this.claimed = counter(CONSUMER + ".claimed", "Entries taken over from idle consumers", tags);
			this.handler = Timer.builder(CONSUMER + ".handler")
				.description("Time the handler ran per message (or batch)")
				.tags(tags)
				.register(MicrometerBindingListeners.this.registry);
		}

		@Override
		public void consumed(int entries) {
			this.consumed.increment(entries);
		}

		@Override
		public void handled(long nanos) {
			this.handler.record(nanos, TimeUnit.NANOSECONDS);
		}

		@Override
		public void deadLettered() {
			this.deadLettered.increment();
		}

		@Override
		public void retried() {
			this.retried.increment();
		}

		@Override
		public void failed() {
			this.failed.increment();
		}

		@Override
		public void claimed(int count) {
			this.claimed.increment(count);
		}

		@Override
		public void trimmed(int count) {
			this.trimmed.increment(count);
		}

	}

	private final class ProducerMeters implements SendListener {

		private final Counter sent;

		private final Counter failures;

		ProducerMeters(Tags tags) {
			this.sent = counter(PRODUCER + ".sent", "Entries Redis confirmed", tags);
			this.failures = counter(PRODUCER + ".send.failures", "Sends that failed or were not confirmed", tags);
		}

		@Override
		public void sent(RecordId id) {
			this.sent.increment();
		}

		@Override
		public void failed(Throwable failure) {
			this.failures.increment();
		}

	}

}
