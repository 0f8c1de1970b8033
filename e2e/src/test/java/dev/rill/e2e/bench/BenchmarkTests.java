package dev.rill.e2e.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.rill.binder.redis.test.RedisServerProcess;

/**
 * The benchmark harness. Not part of the test suite: tagged {@code benchmark}, which surefire
 * excludes unless the {@code benchmark} profile is on:
 * <pre>
 * ./mvnw -B -pl e2e -am verify -Pbenchmark -Dbench.messages=1000000
 * </pre>
 * It asserts nothing about speed; it measures and reports (see {@link BenchSettings} for the
 * parameters):
 * <ol>
 * <li>a private {@code redis-server} and a Kafka broker in a JVM of its own;</li>
 * <li>per transport (raw Lettuce, the Rill binder, the Kafka binder) a worker JVM
 * ({@link TransportWorker}): throughput, then latency at fixed rates;</li>
 * <li>the saga over HTTP with the three services as JVMs of their own ({@link SagaBenchmark});</li>
 * <li>the report ({@link BenchReport}): {@code results.md}, {@code results.svg} and
 * {@code results.json} in {@code e2e/target/bench/}, also copied to {@code benchmarks/results/latest.*}
 * (unless {@code -Dbench.publish=false}).</li>
 * </ol>
 */
@Tag("benchmark")
class BenchmarkTests {

	private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

	@Test
	void benchmark() throws Exception {
		BenchSettings settings = BenchSettings.fromSystemProperties();
		Path output = settings.output();
		Files.createDirectories(output);
		Machine machine = Machine.describe();
		System.out.println("Benchmark: " + settings);
		System.out.println("Machine: " + machine);
		List<WorkerResult> transports = new ArrayList<>();
		SagaResult saga = null;
		String redisVersion;
		try (RedisServerProcess redis = RedisServerProcess.builder().build().start()) {
			redisVersion = redis.version();
			long redisPid = redisPid(redis);
			ChildJvm kafka = null;
			String bootstrap = "-";
			try {
				if (settings.transports().contains(BenchSettings.KAFKA_BINDER)) {
					kafka = startKafka(output);
					bootstrap = awaitBootstrap(kafka, output.resolve("kafka.bootstrap"));
				}
				for (String transport : settings.transports()) {
					long serverPid = BenchSettings.KAFKA_BINDER.equals(transport) ? kafka.pid() : redisPid;
					transports.add(runWorker(settings, transport, redis, bootstrap, serverPid));
				}
			}
			finally {
				if (kafka != null) {
					kafka.close();
				}
			}
		}
		if (settings.saga()) {
			saga = new SagaBenchmark(settings).run();
		}
		BenchReport report = new BenchReport(settings, machine, redisVersion, transports, saga);
		report.write(output);
		Files.writeString(output.resolve("results.json"),
				JSON.writeValueAsString(Map.of("settings", settings.toString(), "machine", machine,
						"transports", transports, "saga", (saga != null) ? saga : "not run")));
		if (settings.publish()) {
			Path published = settings.root().resolve("benchmarks").resolve("results");
			Files.createDirectories(published);
			report.write(published, "latest");
			Files.copy(output.resolve("results.json"), published.resolve("latest.json"),
					java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		}
		if (!settings.profile().isEmpty()) {
			PhaseResult phase = transports.stream()
				.filter(worker -> worker.transport().equals(settings.profile()))
				.findFirst()
				.map(WorkerResult::throughput)
				.orElseThrow();
			Path recording = output.resolve(settings.profile() + ".jfr");
			String header = String.format(java.util.Locale.ROOT,
					"Throughput phase of `%s` under Java Flight Recorder (`-XX:StartFlightRecording=settings=profile`): "
							+ "%,d messages, %,.0f msgs/s, %.1f µs CPU and %,.0f B allocated per message in the worker "
							+ "JVM; %d cores, load average %s.%n%n",
					settings.profile(), phase.count(), phase.throughput(), phase.cpuMicrosPerMessage(),
					phase.allocatedBytesPerMessage(), machine.cores(), Machine.currentLoadAverage());
			String body = JfrSummary.summarize(recording, phase.startEpochMillis(), phase.endEpochMillis(),
					phase.received());
			int afterTitle = body.indexOf("\n\n") + 2;
			String summary = body.substring(0, afterTitle) + header + body.substring(afterTitle);
			Files.writeString(output.resolve("profile-" + settings.profile() + ".md"), summary);
			if (settings.publish()) {
				Files.writeString(settings.root().resolve("benchmarks/results/profile-" + settings.profile() + ".md"),
						summary);
			}
			System.out.println(summary);
		}
		System.out.println(report.markdown());
	}

	private static WorkerResult runWorker(BenchSettings settings, String transport, RedisServerProcess redis,
			String bootstrap, long serverPid) throws Exception {
		Path output = settings.output();
		Path result = output.resolve("worker-" + transport + ".json");
		Files.deleteIfExists(result);
		List<String> jvm = new ArrayList<>(settings.workerJvmArgs());
		if (transport.equals(settings.profile())) {
			jvm.add("-XX:StartFlightRecording=filename=" + output.resolve(transport + ".jfr") + ",settings=profile");
		}
		System.out.println("Running " + transport + " (log: " + output.resolve("logs/" + transport + ".log") + ")");
		try (ChildJvm worker = ChildJvm.start(transport, jvm, BenchSettings.benchProperties(), TransportWorker.class,
				List.of(transport, redis.host(), Integer.toString(redis.port()), bootstrap, Long.toString(serverPid),
						result.toString()),
				output.resolve("logs").resolve(transport + ".log"))) {
			int exit = worker.waitFor(Duration.ofHours(2));
			System.out.println(worker.logTail(8));
			if (exit != 0 || !Files.exists(result)) {
				throw new IllegalStateException(transport + " worker failed (exit " + exit + ")\n" + worker.logTail(60));
			}
		}
		return JSON.readValue(result.toFile(), WorkerResult.class);
	}

	private static ChildJvm startKafka(Path output) throws Exception {
		Path ready = output.resolve("kafka.bootstrap");
		Files.deleteIfExists(ready);
		return ChildJvm.start("kafka-broker", List.of("-Xms1g", "-Xmx1g"), Map.of(), KafkaBrokerMain.class,
				List.of(ready.toString()), output.resolve("logs").resolve("kafka-broker.log"));
	}

	private static String awaitBootstrap(ChildJvm kafka, Path ready) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
		while (!Files.exists(ready)) {
			if (!kafka.isAlive() || System.nanoTime() > deadline) {
				throw new IllegalStateException("The Kafka broker did not start\n" + kafka.logTail(40));
			}
			Thread.sleep(100);
		}
		try {
			return Files.readString(ready).trim();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private static long redisPid(RedisServerProcess redis) {
		for (String line : redis.command("INFO", "server").split("\\R")) {
			if (line.startsWith("process_id:")) {
				return Long.parseLong(line.substring("process_id:".length()).trim());
			}
		}
		return -1;
	}

}
