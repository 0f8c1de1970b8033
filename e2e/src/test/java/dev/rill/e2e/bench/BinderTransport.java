package dev.rill.e2e.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * One Spring Boot application ({@link BenchApplication}) with a Spring Cloud Stream binder:
 * {@code StreamBridge.send("source-out-0", payload)} from the producer thread (or, with
 * {@code bench.producer=supplier}, the payload emitted into the {@code Supplier<Flux<byte[]>>}
 * bound as {@code source-out-0}), a {@code Consumer<byte[]>} (or, with {@code bench.batch}, a {@code Consumer<List<byte[]>>} in batch
 * mode) bound as {@code sink-in-0} in group {@code bench}, both on one
 * destination with content type {@code application/octet-stream} (no conversion). Binder
 * defaults otherwise: asynchronous producer, acknowledgement (Redis {@code XACK}, Kafka offset
 * commit) after the handler returned.
 */
final class BinderTransport implements Transport {

	static final String OUTPUT = "source-out-0";

	private final String binder;

	private final String destination;

	private final Map<String, Object> properties = new LinkedHashMap<>();

	private final LongAdder failures = new LongAdder();

	private ConfigurableApplicationContext context;

	/** Whether the producer is a {@link FluxProducer} ({@code bench.producer=supplier}) instead of StreamBridge. */
	private final boolean supplier;

	private StreamBridge bridge;

	private FluxProducer fluxProducer;

	/**
	 * @param binder {@code redis} or {@code kafka}
	 * @param destination the destination (stream key, topic)
	 * @param extra more properties (connection settings)
	 */
	BinderTransport(String binder, String destination, BenchSettings settings, Map<String, Object> extra) {
		this.binder = binder;
		this.destination = destination;
		this.supplier = BenchSettings.SUPPLIER_PRODUCER.equals(settings.producer());
		boolean batch = settings.batch();
		this.properties.put("spring.main.banner-mode", "off");
		if (this.supplier) {
			// The Supplier<Flux<byte[]>> named source is bound as source-out-0 like StreamBridge's binding.
			this.properties.put("spring.cloud.function.definition", "sink;source");
		}
		else {
			this.properties.put("spring.cloud.function.definition", "sink");
			this.properties.put("spring.cloud.stream.output-bindings", "source");
		}
		this.properties.put("spring.cloud.stream.default-binder", binder);
		this.properties.put("spring.cloud.stream.bindings.sink-in-0.destination", destination);
		this.properties.put("spring.cloud.stream.bindings.sink-in-0.group", "bench");
		this.properties.put("spring.cloud.stream.bindings.sink-in-0.content-type", "application/octet-stream");
		this.properties.put("spring.cloud.stream.bindings.sink-in-0.consumer.batch-mode", batch);
		this.properties.put("spring.cloud.stream.bindings.source-out-0.destination", destination);
		this.properties.put("spring.cloud.stream.bindings.source-out-0.content-type", "application/octet-stream");
		this.properties.putAll(extra);
	}

	static BinderTransport redis(String host, int port, String key, BenchSettings settings) {
		return new BinderTransport("redis", key, settings,
				Map.of("spring.data.redis.host", host, "spring.data.redis.port", port,
						"spring.cloud.stream.redis.bindings.sink-in-0.consumer.read-count", settings.readCount()));
	}

	static BinderTransport kafka(String bootstrapServers, String topic, BenchSettings settings) {
		return new BinderTransport("kafka", topic, settings, Map.of("spring.kafka.bootstrap-servers", bootstrapServers,
				// One broker: acks=all waits for the same single write as acks=1, the binder's default.
				"spring.cloud.stream.kafka.binder.required-acks", "all"));
	}

	@Override
	public void start(Tally tally) {
		// Command-line arguments, not default properties: the binder's own (child) application
		// context sees the former only, and would connect to localhost:6379 otherwise.
		String[] arguments = this.properties.entrySet()
			.stream()
			.map(property -> "--" + property.getKey() + "=" + property.getValue())
			.toArray(String[]::new);
		this.context = new SpringApplicationBuilder(BenchApplication.class).web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.initializers(context -> ((GenericApplicationContext) context).registerBean(Tally.class, () -> tally))
			.run(arguments);
		if (this.supplier) {
			this.fluxProducer = this.context.getBean(FluxProducer.class);
		}
		else {
			this.bridge = this.context.getBean(StreamBridge.class);
		}
		if ("redis".equals(this.binder)) {
			// Make sure the benchmark's private Redis is the one written to, not a local default.
			try (RedisConnection connection = this.context.getBean(RedisConnectionFactory.class).getConnection()) {
				String port = connection.serverCommands().info("server").getProperty("tcp_port");
				if (!String.valueOf(this.properties.get("spring.data.redis.port")).equals(port)) {
					throw new IllegalStateException("The binder talks to the Redis on port " + port + ", not "
							+ this.properties.get("spring.data.redis.port"));
				}
			}
		}
	}

	@Override
	public void send(byte[] payload) {
		boolean sent = this.supplier ? this.fluxProducer.send(payload) : this.bridge.send(OUTPUT, payload);
		if (!sent) {
			this.failures.increment();
		}
	}

	@Override
	public void afterPhase() {
		if ("redis".equals(this.binder)) {
			try (RedisConnection connection = this.context.getBean(RedisConnectionFactory.class).getConnection()) {
				connection.streamCommands().xTrim(this.destination.getBytes(), 0);
			}
		}
	}

	@Override
	public long sendFailures() {
		return this.failures.sum();
	}

	@Override
	public void close() {
		if (this.context != null) {
			this.context.close();
		}
	}

}
