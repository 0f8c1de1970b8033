package dev.rill.e2e.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.rill.e2e.bench.SagaResult.SagaPhase;

/**
 * The benchmark's report: a Markdown page (tables of throughput, latency, saga and the targets)
 * and an SVG chart (msgs/s per transport; p99 and p50 latency per rate), drawn by hand.
 */
final class BenchReport {

	private static final Map<String, String> COLORS = Map.of(BenchSettings.LETTUCE, "#7f7f7f",
			BenchSettings.REDIS_BINDER, "#d62728", BenchSettings.KAFKA_BINDER, "#1f77b4");

	private static final Map<String, String> NAMES = Map.of(BenchSettings.LETTUCE, "raw Lettuce",
			BenchSettings.REDIS_BINDER, "Rill binder", BenchSettings.KAFKA_BINDER, "Kafka binder");

	private final BenchSettings settings;

	private final Machine machine;

	private final String redisVersion;

	private final List<WorkerResult> transports;

	private final SagaResult saga;

	BenchReport(BenchSettings settings, Machine machine, String redisVersion, List<WorkerResult> transports,
			SagaResult saga) {
		this.settings = settings;
		this.machine = machine;
		this.redisVersion = redisVersion;
		this.transports = transports;
		this.saga = saga;
	}

	/**
	 * Write {@code results.md} and {@code results.svg}.
	 */
	void write(Path directory) throws IOException {
		write(directory, "results");
	}

	/**
	 * Write {@code <name>.md} and {@code <name>.svg}; the page links the chart by its file name.
	 */
	void write(Path directory, String name) throws IOException {
		Files.createDirectories(directory);
		Files.writeString(directory.resolve(name + ".md"), markdown(name + ".svg"));
		Files.writeString(directory.resolve(name + ".svg"), svg());
	}

	String markdown() {
		return markdown("results.svg");
	}

	private String markdown(String chart) {
		StringBuilder md = new StringBuilder();
		md.append("# Rill benchmark\n\n");
		md.append(String.format(Locale.ROOT,
				"Run %s on **%d cores** (%s), %d GB, load average %s at the start (1/5/15 min; the "
						+ "benchmark's own processes count too), %s, %s. Redis %s (private `redis-server`, no persistence); Kafka %s (one KRaft "
						+ "broker, spring-kafka-test's `EmbeddedKafkaKraftBroker` in a JVM of its own). Load average "
						+ "at the end: %s.%s%n%n",
				this.machine.started(), this.machine.cores(), this.machine.cpu(), this.machine.memoryGb(),
				this.machine.loadAverage(), this.machine.os(), this.machine.jdk(), this.redisVersion, kafkaVersion(),
				Machine.currentLoadAverage(), this.settings.note().isBlank() ? "" : " " + this.settings.note()));
		md.append(String.format(Locale.ROOT,
				"Workload per transport: **%,d messages of %d bytes** after %,d warm-up messages, one producer thread "
						+ "and one consumer (group `bench`, acknowledged after the handler) in one JVM (`%s`); at most "
						+ "%,d messages in flight in the throughput phase; then %d s at each fixed rate. Latency is "
						+ "send call to handler (`System.nanoTime()` in the payload).%n%n",
				this.settings.messages(), this.settings.payload(), this.settings.warmup(),
				String.join(" ", this.settings.workerJvmArgs()), this.settings.window(), this.settings.rateSeconds()));
		for (WorkerResult worker : this.transports) {
			md.append("- **").append(name(worker.transport())).append("**: ").append(worker.description()).append('\n');
		}
		md.append('\n');
		appendTargets(md);
		appendThroughput(md);
		appendLatency(md);
		appendSaga(md);
		md.append("![msgs/s per transport and latency per rate](").append(chart).append(")\n");
		return md.toString();
	}

	private void appendTargets(StringBuilder md) {
		md.append("## Against the targets\n\n| target | measured | met |\n|---|---:|:-:|\n");
		WorkerResult binder = worker(BenchSettings.REDIS_BINDER);
		WorkerResult lettuce = worker(BenchSettings.LETTUCE);
		WorkerResult kafka = worker(BenchSettings.KAFKA_BINDER);
		if (binder != null && lettuce != null) {
			double ratio = binder.throughput().throughput() / lettuce.throughput().throughput();
			md.append(row("Rill binder ≥ 0.6 × raw Lettuce (msgs/s)", format("%.2f ×", ratio), ratio >= 0.6));
		}
		if (binder != null && kafka != null) {
			double ratio = binder.throughput().throughput() / kafka.throughput().throughput();
			md.append(row("Rill binder ≥ 2 × Kafka binder (msgs/s)", format("%.2f ×", ratio), ratio >= 2));
		}
		if (binder != null && binder.atRate(10_000) != null) {
			double p99 = binder.atRate(10_000).p99Micros() / 1e3;
			md.append(row("Rill binder p99 ≤ 2 ms at 10,000 msgs/s", format("%.2f ms", p99), p99 <= 2));
		}
		if (this.saga != null) {
			double orders = this.saga.throughput().ordersPerSecond();
			md.append(row("saga ≥ 3,000 orders/s", format("%,.0f orders/s", orders), orders >= 3000));
		}
		md.append('\n');
	}

	private static String row(String target, String measured, boolean met) {
		return "| " + target + " | " + measured + " | " + (met ? "yes" : "**no**") + " |\n";
	}

	private void appendThroughput(StringBuilder md) {
		md.append("## Throughput\n\n");
		md.append("| transport | msgs/s | ÷ raw Lettuce | ÷ Kafka binder | worker CPU µs/msg | server CPU µs/msg "
				+ "| allocated B/msg | GCs (ms) | lost | duplicates |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		WorkerResult lettuce = worker(BenchSettings.LETTUCE);
		WorkerResult kafka = worker(BenchSettings.KAFKA_BINDER);
		for (WorkerResult worker : this.transports) {
			PhaseResult phase = worker.throughput();
			md.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %s | %.1f | %s | %,.0f | %d (%d) | %d | %d |%n",
					name(worker.transport()), phase.throughput(), ratio(phase, lettuce), ratio(phase, kafka),
					phase.cpuMicrosPerMessage(),
					(phase.serverCpuMicrosPerMessage() < 0) ? "–" : format("%.1f", phase.serverCpuMicrosPerMessage()),
					phase.allocatedBytesPerMessage(), phase.gcCount(), phase.gcMillis(), phase.lost(),
					phase.duplicates()));
		}
		md.append("\nworker CPU: the producer's and consumer's JVM; server CPU: `redis-server` or the Kafka broker's "
				+ "JVM (from `/proc`). Both per message, steadier than msgs/s on a shared machine.\n\n");
	}

	private static String ratio(PhaseResult phase, WorkerResult base) {
		return (base == null) ? "–" : format("%.2f", phase.throughput() / base.throughput().throughput());
	}

	private void appendLatency(StringBuilder md) {
		md.append("## Latency at fixed rates (µs, send to handler)\n\n");
		md.append("| transport | rate msgs/s | sent at msgs/s | p50 | p90 | p99 | p99.9 | max | lost |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		for (long rate : this.settings.rates()) {
			for (WorkerResult worker : this.transports) {
				PhaseResult phase = worker.atRate(rate);
				if (phase == null) {
					continue;
				}
				md.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %d |%n",
						name(worker.transport()), rate, phase.sendRate(), phase.p50Micros(), phase.p90Micros(),
						phase.p99Micros(), phase.p999Micros(), phase.maxMicros(), phase.lost()));
			}
		}
		md.append('\n');
	}

	private void appendSaga(StringBuilder md) {
		if (this.saga == null) {
			return;
		}
		md.append("## Saga: HTTP → order → inventory → order → notification\n\n");
		md.append(String.format(Locale.ROOT,
				"order-app, inventory-app and notification-app as JVMs of their own (`java %s -jar ...`) on the Redis "
						+ "binder with their shipped configuration (synchronous producers, dead letters, `log` "
						+ "channel); every order is confirmed and notified. Latency: POST sent to the notification's "
						+ "`sentAt` (wall clock, same machine). Throughput phase: %d HTTP clients, each placing its "
						+ "next order when the last was answered; paced phase: open loop at a fixed rate. CPU: the "
						+ "three services and Redis, per order.%n%n",
				String.join(" ", this.saga.jvm()), this.saga.concurrency()));
		md.append("| phase | orders | orders/s through the saga | POSTs/s | p50 ms | p90 ms | p99 ms | max ms | "
				+ "CPU ms/order | not notified |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		for (SagaPhase phase : List.of(this.saga.throughput(), this.saga.paced())) {
			String name = (phase.targetRate() > 0) ? "paced at " + phase.targetRate() + " orders/s"
					: "throughput (" + this.saga.concurrency() + " clients)";
			md.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %,.0f | %,.1f | %,.1f | %,.1f | %,.1f | %.2f | %d |%n",
					name, phase.orders(), phase.ordersPerSecond(), phase.postRate(), phase.p50Millis(),
					phase.p90Millis(), phase.p99Millis(), phase.maxMillis(), phase.serviceCpuMillisPerOrder(),
					phase.orders() - phase.notified()));
		}
		md.append('\n');
		for (SagaPhase phase : List.of(this.saga.throughput(), this.saga.paced())) {
			StringBuilder cpu = new StringBuilder();
			phase.cpuMillisPerOrder().forEach((process, millis) -> cpu.append(cpu.length() > 0 ? ", " : "")
				.append(process).append(' ').append(format("%.2f", millis)));
			StringBuilder backlog = new StringBuilder();
			phase.backlog().forEach((group, entries) -> backlog.append(backlog.length() > 0 ? ", " : "")
				.append('`').append(group).append("` ").append(format("%,d", entries)));
			md.append("- ").append(phase.name()).append(": CPU ms/order ").append(cpu)
				.append("; entries waiting per stream/group when the last POST was answered: ").append(backlog)
				.append('\n');
		}
		md.append('\n');
	}

	/**
	 * Two panels: msgs/s per transport (linear), and per rate the p99 latency of each transport
	 * as a bar with its p50 as a black tick (logarithmic).
	 */
	String svg() {
		int width = 980;
		int height = 430;
		StringBuilder svg = new StringBuilder();
		svg.append(String.format(Locale.ROOT,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
						+ "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">%n",
				width, height, width, height));
		svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
		svg.append(String.format(Locale.ROOT,
				"<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Rill benchmark: %,d × %d B, %d cores, %s"
						+ "</text>%n",
				20, this.settings.messages(), this.settings.payload(), this.machine.cores(),
				escape(this.machine.started())));
		throughputPanel(svg, 20, 50, 380, 330);
		latencyPanel(svg, 470, 50, 490, 330);
		svg.append("</svg>\n");
		return svg.toString();
	}

	private void throughputPanel(StringBuilder svg, int x, int y, int w, int h) {
		int left = x + 60;
		int bottom = y + h - 30;
		int top = y + 20;
		svg.append(text(x, y + 5, "Throughput (msgs/s, higher is better)", "bold"));
		double max = this.transports.stream().mapToDouble(t -> t.throughput().throughput()).max().orElse(1);
		double scaleMax = niceCeiling(max);
		for (int i = 0; i <= 5; i++) {
			double value = scaleMax * i / 5;
			double gy = bottom - (bottom - top) * (value / scaleMax);
			svg.append(line(left, gy, x + w, gy, "#dddddd"));
			svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
					left - 6, gy + 4, compact(value)));
		}
		int n = Math.max(1, this.transports.size());
		double slot = (double) (x + w - left) / n;
		for (int i = 0; i < this.transports.size(); i++) {
			WorkerResult worker = this.transports.get(i);
			double value = worker.throughput().throughput();
			double barHeight = (bottom - top) * (value / scaleMax);
			double bx = left + i * slot + slot * 0.2;
			svg.append(String.format(Locale.ROOT,
					"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n", bx,
					bottom - barHeight, slot * 0.6, barHeight, COLORS.getOrDefault(worker.transport(), "#999999")));
			svg.append(String.format(Locale.ROOT,
					"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-weight=\"bold\">%,.0f</text>%n",
					bx + slot * 0.3, bottom - barHeight - 5, value));
			svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
					bx + slot * 0.3, bottom + 16, escape(name(worker.transport()))));
		}
		svg.append(line(left, bottom, x + w, bottom, "#333333"));
	}

	private void latencyPanel(StringBuilder svg, int x, int y, int w, int h) {
		int left = x + 60;
		int bottom = y + h - 30;
		int top = y + 20;
		svg.append(text(x, y + 5, "Latency at fixed rates (bar p99, tick p50; log scale, lower is better)", "bold"));
		List<Double> values = new ArrayList<>();
		for (WorkerResult worker : this.transports) {
			for (long rate : this.settings.rates()) {
				PhaseResult phase = worker.atRate(rate);
				if (phase != null) {
					values.add(Math.max(1, phase.p50Micros()));
					values.add(Math.max(1, phase.p99Micros()));
				}
			}
		}
		if (values.isEmpty()) {
			return;
		}
		double lowDecade = Math.floor(Math.log10(values.stream().mapToDouble(v -> v).min().orElse(10)));
		double highDecade = Math.ceil(Math.log10(values.stream().mapToDouble(v -> v).max().orElse(1000)));
		if (highDecade <= lowDecade) {
			highDecade = lowDecade + 1;
		}
		double low = lowDecade;
		double span = highDecade - lowDecade;
		for (double decade = lowDecade; decade <= highDecade; decade++) {
			double gy = bottom - (bottom - top) * ((decade - low) / span);
			svg.append(line(left, gy, x + w, gy, "#dddddd"));
			svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
					left - 6, gy + 4, duration(Math.pow(10, decade))));
		}
		List<Long> rates = this.settings.rates();
		double group = (double) (x + w - left) / Math.max(1, rates.size());
		int n = Math.max(1, this.transports.size());
		for (int r = 0; r < rates.size(); r++) {
			double gx = left + r * group + group * 0.1;
			double barWidth = group * 0.8 / n;
			for (int i = 0; i < this.transports.size(); i++) {
				WorkerResult worker = this.transports.get(i);
				PhaseResult phase = worker.atRate(rates.get(r));
				if (phase == null) {
					continue;
				}
				double p99 = bottom - (bottom - top) * ((Math.log10(Math.max(1, phase.p99Micros())) - low) / span);
				double p50 = bottom - (bottom - top) * ((Math.log10(Math.max(1, phase.p50Micros())) - low) / span);
				double bx = gx + i * barWidth;
				svg.append(String.format(Locale.ROOT,
						"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n", bx + 1, p99,
						barWidth - 2, Math.max(0, bottom - p99), COLORS.getOrDefault(worker.transport(), "#999999")));
				svg.append(line(bx + 1, p50, bx + barWidth - 1, p50, "#000000", 2));
				svg.append(String.format(Locale.ROOT,
						"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\">%s</text>%n",
						bx + barWidth / 2, p99 - 4, duration(phase.p99Micros())));
			}
			svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s msgs/s</text>%n",
					left + r * group + group / 2, bottom + 16, compact(rates.get(r))));
		}
		svg.append(line(left, bottom, x + w, bottom, "#333333"));
		double lx = left;
		for (WorkerResult worker : this.transports) {
			svg.append(String.format(Locale.ROOT,
					"<rect x=\"%.1f\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n", lx, y + h + 4,
					COLORS.getOrDefault(worker.transport(), "#999999")));
			svg.append(text(lx + 16, y + h + 14, name(worker.transport()), "normal"));
			lx += 120;
		}
	}

	private WorkerResult worker(String transport) {
		return this.transports.stream().filter(w -> w.transport().equals(transport)).findFirst().orElse(null);
	}

	private static String name(String transport) {
		return NAMES.getOrDefault(transport, transport);
	}

	private static String kafkaVersion() {
		try {
			return org.apache.kafka.common.utils.AppInfoParser.getVersion();
		}
		catch (RuntimeException | LinkageError ex) {
			return "unknown";
		}
	}

	private static double niceCeiling(double value) {
		double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(1, value))));
		for (double step : new double[] { 1, 2, 2.5, 5, 10 }) {
			if (step * magnitude >= value * 1.05) {
				return step * magnitude;
			}
		}
		return 10 * magnitude;
	}

	private static String compact(double value) {
		if (value >= 1_000_000) {
			return format("%sM", trim(value / 1_000_000));
		}
		if (value >= 1_000) {
			return format("%sk", trim(value / 1_000));
		}
		return trim(value);
	}

	private static String trim(double value) {
		return (value == Math.rint(value)) ? Long.toString((long) value) : format("%.1f", value);
	}

	private static String duration(double micros) {
		if (micros >= 1_000_000) {
			return format("%s s", trim(round(micros / 1_000_000)));
		}
		if (micros >= 1_000) {
			return format("%s ms", trim(round(micros / 1_000)));
		}
		return format("%s µs", trim(round(micros)));
	}

	private static double round(double value) {
		return (value >= 100) ? Math.rint(value) : Math.rint(value * 10) / 10;
	}

	private static String line(double x1, double y1, double x2, double y2, String color) {
		return line(x1, y1, x2, y2, color, 1);
	}

	private static String line(double x1, double y1, double x2, double y2, String color, int width) {
		return String.format(Locale.ROOT,
				"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%d\"/>%n", x1, y1,
				x2, y2, color, width);
	}

	private static String text(double x, double y, String text, String weight) {
		return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-weight=\"%s\">%s</text>%n", x, y, weight,
				escape(text));
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

	private static String format(String format, Object... args) {
		return String.format(Locale.ROOT, format, args);
	}

}
