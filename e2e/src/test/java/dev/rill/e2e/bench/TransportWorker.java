package dev.rill.e2e.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.HdrHistogram.Histogram;

/**
 * The worker JVM of one transport (started by {@link BenchmarkTests}, one JVM per transport so
 * that none inherits another's JIT state, heap or threads). One producer thread (this one) and
 * the transport's consumer, in one JVM:
 * <ol>
 * <li>warm-up: {@code bench.warmup} messages, not reported;</li>
 * <li>throughput: {@code bench.messages} messages as fast as the transport takes them, at most
 * {@code bench.window} sent and not yet received;</li>
 * <li>for each of {@code bench.rates}: {@code rate x bench.rateSeconds} messages paced at that
 * rate (open loop: the producer never waits for the consumer).</li>
 * </ol>
 * Each phase ends when every message arrived (or none arrived for 30 s: the rest count as lost).
 * <p>
 * Arguments: {@code <transport> <redis host> <redis port> <kafka bootstrap or -> <server pid>
 * <result file>}; settings from {@code bench.*} system properties.
 */
public final class TransportWorker {

	private static final long IDLE_MILLIS = 30_000;

	private final BenchSettings settings;

	private final Transport transport;

	private final long serverPid;

	private final Tally tally = new Tally();

	private final Payloads payloads;

	private long nextSequence;

	private TransportWorker(BenchSettings settings, Transport transport, long serverPid) {
		this.settings = settings;
		this.transport = transport;
		this.serverPid = serverPid;
		this.payloads = new Payloads(settings.payload());
	}

	public static void main(String[] args) throws Exception {
		String name = args[0];
		String redisHost = args[1];
		int redisPort = Integer.parseInt(args[2]);
		String kafka = args[3];
		long serverPid = Long.parseLong(args[4]);
		Path result = Path.of(args[5]);
		BenchSettings settings = BenchSettings.fromSystemProperties();
		String destination = "bench-" + name + "-" + ProcessHandle.current().pid();
		Transport transport = switch (name) {
			case BenchSettings.LETTUCE -> new LettuceTransport(redisHost, redisPort, destination, settings.readCount());
			case BenchSettings.REDIS_BINDER -> BinderTransport.redis(redisHost, redisPort, destination, settings);
			case BenchSettings.KAFKA_BINDER -> BinderTransport.kafka(kafka, destination, settings);
			default -> throw new IllegalArgumentException("Unknown transport " + name);
		};
		List<PhaseResult> phases = new ArrayList<>();
		try (transport) {
			TransportWorker worker = new TransportWorker(settings, transport, serverPid);
			transport.start(worker.tally);
			phases = worker.runAll();
		}
		catch (Throwable ex) {
			ex.printStackTrace();
			System.exit(1);
		}
		WorkerResult outcome = new WorkerResult(name, describe(name, settings),
				ManagementFactory.getRuntimeMXBean().getInputArguments(), phases);
		Files.writeString(result, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
			.writeValueAsString(outcome));
		// Kafka and Lettuce leave non-daemon threads behind.
		System.exit(0);
	}

	private List<PhaseResult> runAll() throws InterruptedException {
		phase("warm-up", this.settings.warmup(), 0);
		List<PhaseResult> phases = new ArrayList<>();
		phases.add(phase("throughput", this.settings.messages(), 0));
		for (long rate : this.settings.rates()) {
			phases.add(phase("rate-" + rate, rate * this.settings.rateSeconds(), rate));
		}
		return phases;
	}

	static String describe(String transport, BenchSettings settings) {
		return switch (transport) {
			case BenchSettings.LETTUCE -> "Lettuce 6 without Spring: XADD pipelined (auto-flush off, flush every 64), "
					+ "XREADGROUP COUNT " + settings.readCount() + " BLOCK 2000 + XACK not awaited";
			case BenchSettings.REDIS_BINDER -> "Rill binder: " + producer(settings) + " -> async XADD; " + consumer(settings)
					+ ", read-count " + settings.readCount() + ", XACK after the handler";
			case BenchSettings.KAFKA_BINDER -> "Spring Cloud Stream Kafka binder: " + producer(settings) + " -> KafkaProducer "
					+ "(acks=all, defaults otherwise); " + consumer(settings) + ", offset commit after each poll (BATCH)";
			default -> transport;
		};
	}

	private static String producer(BenchSettings settings) {
		return BenchSettings.SUPPLIER_PRODUCER.equals(settings.producer()) ? "Supplier<Flux<byte[]>>" : "StreamBridge";
	}

	private static String consumer(BenchSettings settings) {
		return settings.batch() ? "Consumer<List<byte[]>> in batch mode" : "Consumer<byte[]>";
	}

	/**
	 * Run one phase.
	 * @param name its name
	 * @param count messages to send
	 * @param rate msgs/s, or 0 for as fast as the window allows
	 */
	private PhaseResult phase(String name, long count, long rate) throws InterruptedException {
		long first = this.nextSequence;
		this.nextSequence += count;
		this.tally.startPhase(first, count);
		Usage before = Usage.now(this.serverPid);
		long startEpoch = System.currentTimeMillis();
		long start = System.nanoTime();
		long window = this.settings.window();
		double nanosPerMessage = (rate > 0) ? 1e9 / rate : 0;
		for (long i = 0; i < count; i++) {
			if (rate == 0) {
				if (i - this.tally.received() >= window) {
					this.transport.flush();
					while (i - this.tally.received() >= window) {
						LockSupport.parkNanos(20_000);
					}
				}
			}
			else {
				long due = start + (long) (i * nanosPerMessage);
				long now = System.nanoTime();
				if (now < due) {
					this.transport.flush();
					while ((now = System.nanoTime()) < due) {
						LockSupport.parkNanos(due - now);
					}
				}
			}
			this.transport.send(this.payloads.next(first + i));
			if ((i & 63) == 63) {
				this.transport.flush();
			}
		}
		this.transport.flush();
		long sent = System.nanoTime();
		boolean complete = this.tally.awaitAll(IDLE_MILLIS);
		long end = complete ? this.tally.lastReceivedNanos() : System.nanoTime();
		Usage after = Usage.now(this.serverPid);
		long endEpoch = System.currentTimeMillis();
		Histogram latencies = this.tally.latencies();
		this.transport.afterPhase();
		long received = this.tally.received();
		double seconds = (end - start) / 1e9;
		double sendSeconds = (sent - start) / 1e9;
		PhaseResult result = new PhaseResult(name, rate, count, received, this.tally.duplicates(),
				this.transport.sendFailures(), sendSeconds, seconds, received / seconds, count / sendSeconds,
				micros(latencies, 50), micros(latencies, 90), micros(latencies, 99), micros(latencies, 99.9),
				latencies.getMaxValue() / 1e3, (after.cpuNanos() - before.cpuNanos()) / 1e3 / count,
				(after.serverCpuNanos() < 0 || before.serverCpuNanos() < 0) ? -1
						: (after.serverCpuNanos() - before.serverCpuNanos()) / 1e3 / count,
				(double) after.allocatedSince(before) / count, after.gcCount() - before.gcCount(),
				after.gcMillis() - before.gcMillis(), startEpoch, endEpoch);
		System.out.printf("%-12s %,10d msgs in %6.2f s = %,9.0f msgs/s (sent at %,9.0f/s)  p50 %,8.0f us  p99 %,9.0f "
				+ "us  p99.9 %,9.0f us  max %,9.0f us  cpu %.1f us/msg  server %.1f us/msg  alloc %,.0f B/msg  "
				+ "lost %d dup %d%n", name, count, seconds, result.throughput(), result.sendRate(), result.p50Micros(),
				result.p99Micros(), result.p999Micros(), result.maxMicros(), result.cpuMicrosPerMessage(),
				result.serverCpuMicrosPerMessage(), result.allocatedBytesPerMessage(), result.lost(),
				result.duplicates());
		return result;
	}

	private static double micros(Histogram histogram, double percentile) {
		return histogram.getValueAtPercentile(percentile) / 1e3;
	}

}
