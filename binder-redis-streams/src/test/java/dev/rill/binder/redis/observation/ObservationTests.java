package dev.rill.binder.redis.observation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import dev.rill.binder.redis.StartedApplications;
import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import dev.rill.binder.redis.test.RedisServerExtension;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Trace context across Redis: with {@code enable-observation} a trace started on the
 * producer side around a {@code StreamBridge} send continues in the consumer's handler (a
 * second application, as a second service would be); without it the consumer starts a
 * trace of its own. Trace headers a sender sets itself, and any other header, arrive
 * unchanged with observation off.
 */
class ObservationTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	private static final AtomicReference<Message<String>> received = new AtomicReference<>();

	private static final AtomicReference<Span> spanInHandler = new AtomicReference<>();

	private static final List<MutableSpan> producerSpans = new CopyOnWriteArrayList<>();

	private static final List<MutableSpan> consumerSpans = new CopyOnWriteArrayList<>();

	@RegisterExtension
	final StartedApplications applications = new StartedApplications(redis);

	private ConfigurableApplicationContext producer;

	private ConfigurableApplicationContext consumer;

	@BeforeEach
	void reset() {
		received.set(null);
		spanInHandler.set(null);
		producerSpans.clear();
		consumerSpans.clear();
	}

	@Test
	void aTraceStartedAroundASendContinuesInTheConsumersHandler() {
		startConsumer("spring.cloud.stream.redis.binder.enable-observation=true");
		startProducer("spring.cloud.stream.redis.binder.enable-observation=true");

		Span request = sendInARequestSpan();

		await().atMost(Duration.ofSeconds(10)).until(() -> spanInHandler.get() != null);
		Span consumed = spanInHandler.get();
		assertThat(consumed.context().traceId()).isEqualTo(request.context().traceId());
		assertThat(consumed.context().spanId()).isNotEqualTo(request.context().spanId());
		// The trace crossed Redis as entry fields, and reached the handler as headers.
		assertThat(redis.server().command("XRANGE", "work", "-", "+"))
			.contains("traceparent\n00-" + request.context().traceId() + "-");
		assertThat(received.get().getHeaders().get("traceparent")).asString()
			.startsWith("00-" + request.context().traceId() + "-");
	}

	@Test
	void theSendAndTheReceiveAreSpansOfTheirOwnWithLowCardinalityTags() {
		startConsumer("spring.cloud.stream.redis.binder.enable-observation=true");
		startProducer("spring.cloud.stream.redis.binder.enable-observation=true",
				"spring.cloud.stream.redis.bindings.work.producer.sync=true");

		Span request = sendInARequestSpan();

		await().atMost(Duration.ofSeconds(10))
			.until(() -> named(producerSpans, "work send") != null && named(consumerSpans, "work receive") != null);
		MutableSpan send = named(producerSpans, "work send");
		MutableSpan receive = named(consumerSpans, "work receive");
		assertThat(send.traceId()).isEqualTo(request.context().traceId());
		assertThat(send.kind()).isEqualTo(brave.Span.Kind.PRODUCER);
		assertThat(send.tags()).containsEntry("messaging.system", "redis_streams")
			.containsEntry("messaging.destination.name", "work")
			.containsEntry("rill.redis.stream", "work")
			.containsKey("messaging.message.id");
		assertThat(receive.traceId()).isEqualTo(request.context().traceId());
		assertThat(receive.parentId()).isEqualTo(send.id());
		assertThat(receive.kind()).isEqualTo(brave.Span.Kind.CONSUMER);
		assertThat(receive.tags()).containsEntry("messaging.destination.name", "work")
			.containsEntry("messaging.consumer.group.name", "workers")
			.containsEntry("messaging.message.id", send.tag("messaging.message.id"));
		// The handler ran inside the receive observation (in a child span of it).
		assertThat(spanInHandler.get().context().traceId()).isEqualTo(request.context().traceId());
	}

	@Test
	void withObservationOffTheConsumerDoesNotContinueTheTrace() {
		startConsumer("spring.cloud.stream.redis.binder.enable-observation=false");
		startProducer("spring.cloud.stream.redis.binder.enable-observation=true");

		Span request = sendInARequestSpan();

		await().atMost(Duration.ofSeconds(10)).until(() -> received.get() != null);
		assertThat(received.get().getHeaders().get("traceparent")).asString()
			.startsWith("00-" + request.context().traceId() + "-");
		Span consumed = spanInHandler.get();
		if (consumed != null) {
			assertThat(consumed.context().traceId()).isNotEqualTo(request.context().traceId());
		}
	}

	@Test
	void traceHeadersAndUserHeadersSetByTheSenderArriveUnchangedWithObservationOff() {
		String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
		String tracestate = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
		this.consumer = this.applications.start(ConsumerApplication.class,
				"spring.cloud.function.definition=sink", "spring.cloud.stream.bindings.sink-in-0.destination=work",
				"spring.cloud.stream.bindings.sink-in-0.group=workers");
		this.producer = this.applications.start(ProducerApplication.class,
				"spring.cloud.function.definition=");

		this.producer.getBean(StreamBridge.class)
			.send("work", MessageBuilder.withPayload("hello")
				.setHeader("traceparent", traceparent)
				.setHeader("tracestate", tracestate)
				.setHeader("tenant", "acme")
				.build());

		await().atMost(Duration.ofSeconds(10)).until(() -> received.get() != null);
		assertThat(received.get().getHeaders()).containsEntry("traceparent", traceparent)
			.containsEntry("tracestate", tracestate)
			.containsEntry("tenant", "acme");
	}

	private void startConsumer(String... extra) {
		this.consumer = this.applications.start(ConsumerApplication.class,
				with(extra, "spring.cloud.function.definition=sink",
						"spring.cloud.stream.bindings.sink-in-0.destination=work",
						"spring.cloud.stream.bindings.sink-in-0.group=workers"));
	}

	private void startProducer(String... extra) {
		this.producer = this.applications.start(ProducerApplication.class,
				with(extra, "spring.cloud.function.definition="));
	}

	/**
	 * Send {@code "hello"} to {@code work} inside a span of the producer's own, as the
	 * handler of an HTTP request would: the trace the consumer side is to continue.
	 * @return the request's span, ended
	 */
	private Span sendInARequestSpan() {
		Tracer tracer = this.producer.getBean(Tracer.class);
		Span request = tracer.nextSpan().name("POST /orders").start();
		try (Tracer.SpanInScope scope = tracer.withSpan(request)) {
			this.producer.getBean(StreamBridge.class).send("work", "hello");
		}
		finally {
			request.end();
		}
		return request;
	}

	/** Tracing on, every trace sampled, plus the test's own properties. */
	private static String[] with(String[] extra, String... properties) {
		List<String> all = new ArrayList<>(List.of(properties));
		all.add("management.tracing.enabled=true");
		all.add("management.tracing.sampling.probability=1.0");
		all.addAll(List.of(extra));
		return all.toArray(String[]::new);
	}

	private static MutableSpan named(List<MutableSpan> spans, String name) {
		return spans.stream().filter(span -> name.equals(span.name())).findFirst().orElse(null);
	}

	/** Keeps the spans an application finished. */
	static SpanHandler collectingInto(List<MutableSpan> spans) {
		return new SpanHandler() {

			@Override
			public boolean end(TraceContext context, MutableSpan span, Cause cause) {
				spans.add(span);
				return true;
			}

		};
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ProducerApplication {

		@Bean
		SpanHandler producerSpans() {
			return collectingInto(producerSpans);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ConsumerApplication {

		@Bean
		SpanHandler consumerSpans() {
			return collectingInto(consumerSpans);
		}

		@Bean
		Consumer<Message<String>> sink(ObjectProvider<Tracer> tracer) {
			return message -> {
				Tracer current = tracer.getIfAvailable();
				spanInHandler.set((current != null) ? current.currentSpan() : null);
				received.set(message);
			};
		}

	}

}
