package dev.rill.e2e.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the benchmark runs, from {@code bench.*} system properties (Maven passes {@code -D}
 * properties on to the test JVM, and the harness passes them on to its worker JVMs).
 *
 * <table>
 * <tr><th>property</th><th>default</th><th>meaning</th></tr>
 * <tr><td>bench.messages</td><td>1000000</td><td>messages of the throughput phase, per transport</td></tr>
 * <tr><td>bench.payload</td><td>200</td><td>payload size in bytes (at least 16: send time and sequence number)</td></tr>
 * <tr><td>bench.warmup</td><td>messages / 5, between 20000 and 200000</td><td>unmeasured messages sent first (JIT, connections, consumer group join)</td></tr>
 * <tr><td>bench.window</td><td>20000</td><td>throughput phase: most messages sent and not yet received</td></tr>
 * <tr><td>bench.rates</td><td>1000,10000,50000</td><td>fixed rates (msgs/s) of the latency phases</td></tr>
 * <tr><td>bench.rateSeconds</td><td>10</td><td>length of each latency phase</td></tr>
 * <tr><td>bench.readCount</td><td>100</td><td>entries per XREADGROUP (binder read-count and raw Lettuce COUNT)</td></tr>
 * <tr><td>bench.producer</td><td>stream-bridge</td><td>the binders' producer: {@code stream-bridge} ({@code StreamBridge.send} per message) or {@code supplier} (a {@code Supplier<Flux<byte[]>>} bound once)</td></tr>
 * <tr><td>bench.batch</td><td>false</td><td>binder consumers in batch mode: a {@code Consumer<List<byte[]>>} gets each read (Redis) or poll (Kafka) at once</td></tr>
 * <tr><td>bench.transports</td><td>lettuce,redis-binder,kafka-binder</td><td>which transports run, in this order</td></tr>
 * <tr><td>bench.workerJvmArgs</td><td>-Xms1g -Xmx1g</td><td>options of each transport's worker JVM</td></tr>
 * <tr><td>bench.profile</td><td>none</td><td>a transport whose worker runs with Java Flight Recorder; a summary goes to profile-&lt;transport&gt;.md</td></tr>
 * <tr><td>bench.saga</td><td>true</td><td>run the saga benchmark</td></tr>
 * <tr><td>bench.saga.orders</td><td>20000</td><td>orders of the saga's throughput phase</td></tr>
 * <tr><td>bench.saga.warmup</td><td>20000</td><td>unmeasured orders first: the services' JIT compilers are busy for about that long</td></tr>
 * <tr><td>bench.saga.concurrency</td><td>32</td><td>HTTP clients of the throughput phase (closed loop)</td></tr>
 * <tr><td>bench.saga.rate</td><td>half the throughput measured</td><td>orders/s of the saga's latency phase (open loop)</td></tr>
 * <tr><td>bench.saga.rateSeconds</td><td>20</td><td>length of the saga's latency phase</td></tr>
 * <tr><td>bench.saga.jvmArgs</td><td>-Xmx512m -XX:+UseSerialGC</td><td>options of the three service JVMs</td></tr>
 * <tr><td>bench.publish</td><td>true</td><td>copy the table and chart to {@code benchmarks/results/latest.*}</td></tr>
 * <tr><td>bench.note</td><td>empty</td><td>a line about the machine and run, printed in the report</td></tr>
 * </table>
 */
record BenchSettings(long messages, int payload, long warmup, long window, List<Long> rates, int rateSeconds,
		int readCount, String producer, boolean batch, List<String> transports, List<String> workerJvmArgs, String profile, boolean saga,
		int sagaOrders, int sagaWarmup, int sagaConcurrency, int sagaRate, int sagaRateSeconds,
		List<String> sagaJvmArgs, boolean publish, String note, Path root, Path output) {

	static final String LETTUCE = "lettuce";

	static final String REDIS_BINDER = "redis-binder";

	static final String KAFKA_BINDER = "kafka-binder";

	static final String STREAM_BRIDGE_PRODUCER = "stream-bridge";

	static final String SUPPLIER_PRODUCER = "supplier";

	static BenchSettings fromSystemProperties() {
		long messages = longProperty("bench.messages", 1_000_000);
		long warmup = longProperty("bench.warmup", Math.max(20_000, Math.min(200_000, messages / 5)));
		int payload = (int) longProperty("bench.payload", 200);
		if (payload < Payloads.HEADER) {
			throw new IllegalArgumentException("bench.payload must be at least " + Payloads.HEADER + " bytes");
		}
		String producer = System.getProperty("bench.producer", STREAM_BRIDGE_PRODUCER).trim();
		if (!producer.equals(STREAM_BRIDGE_PRODUCER) && !producer.equals(SUPPLIER_PRODUCER)) {
			throw new IllegalArgumentException("bench.producer must be " + STREAM_BRIDGE_PRODUCER + " or "
					+ SUPPLIER_PRODUCER + ", got " + producer);
		}
		List<Long> rates = split(System.getProperty("bench.rates", "1000,10000,50000")).stream()
			.map(Long::parseLong)
			.toList();
		return new BenchSettings(messages, payload, warmup, longProperty("bench.window", 20_000), rates,
				(int) longProperty("bench.rateSeconds", 10), (int) longProperty("bench.readCount", 100),
				producer,
				Boolean.parseBoolean(System.getProperty("bench.batch", "false")),
				split(System.getProperty("bench.transports", LETTUCE + "," + REDIS_BINDER + "," + KAFKA_BINDER)),
				Arrays.asList(System.getProperty("bench.workerJvmArgs", "-Xms1g -Xmx1g").trim().split("\\s+")),
				System.getProperty("bench.profile", "").trim(),
				Boolean.parseBoolean(System.getProperty("bench.saga", "true")),
				(int) longProperty("bench.saga.orders", 20_000), (int) longProperty("bench.saga.warmup", 20_000),
				(int) longProperty("bench.saga.concurrency", 32), (int) longProperty("bench.saga.rate", 0),
				(int) longProperty("bench.saga.rateSeconds", 20),
				Arrays.asList(System.getProperty("bench.saga.jvmArgs", "-Xmx512m -XX:+UseSerialGC").trim().split("\\s+")),
				Boolean.parseBoolean(System.getProperty("bench.publish", "true")), System.getProperty("bench.note", ""),
				Path.of(System.getProperty("rill.root", "..")).toAbsolutePath().normalize(),
				Path.of(System.getProperty("rill.bench.output", "target/bench")).toAbsolutePath().normalize());
	}

	/**
	 * @return every {@code bench.*} system property, to hand on to a worker JVM
	 */
	static Map<String, String> benchProperties() {
		Map<String, String> properties = new TreeMap<>();
		System.getProperties().forEach((name, value) -> {
			if (name.toString().startsWith("bench.")) {
				properties.put(name.toString(), value.toString());
			}
		});
		return properties;
	}

	private static long longProperty(String name, long defaultValue) {
		String value = System.getProperty(name);
		if (value == null || value.isBlank()) {
			return defaultValue;
		}
		return Long.parseLong(value.trim().replace("_", ""));
	}

	private static List<String> split(String value) {
		List<String> parts = new ArrayList<>();
		for (String part : value.split(",")) {
			if (!part.isBlank()) {
				parts.add(part.trim());
			}
		}
		return parts;
	}

}
