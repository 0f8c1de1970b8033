package dev.rill.e2e.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a worker JVM spent its time and allocations during one phase, from its Java Flight
 * Recorder file ({@code settings=profile}): execution samples by thread, by top frame (self
 * time) and by method anywhere on the stack (total time); allocation samples by allocated class
 * and by allocating method, as bytes per message. Run by {@link BenchmarkTests} when
 * {@code bench.profile} names a transport, or alone:
 * {@code java -cp <test classpath> dev.rill.e2e.bench.JfrSummary <file.jfr> [<from epoch ms> <to epoch ms> <messages>]}.
 */
public final class JfrSummary {

	private static final int TOP = 25;

	private JfrSummary() {
	}

	public static void main(String[] args) throws IOException {
		long from = (args.length > 1) ? Long.parseLong(args[1]) : 0;
		long to = (args.length > 2) ? Long.parseLong(args[2]) : Long.MAX_VALUE;
		long messages = (args.length > 3) ? Long.parseLong(args[3]) : 0;
		System.out.println(summarize(Path.of(args[0]), from, to, messages));
	}

	static String summarize(Path recording, long fromEpochMillis, long toEpochMillis, long messages)
			throws IOException {
		Instant from = Instant.ofEpochMilli(fromEpochMillis);
		Instant to = Instant.ofEpochMilli(toEpochMillis);
		Map<String, Long> byThread = new HashMap<>();
		Map<String, Long> self = new HashMap<>();
		Map<String, Long> total = new HashMap<>();
		Map<String, Long> selfRill = new HashMap<>();
		Map<String, Long> allocatedByClass = new HashMap<>();
		Map<String, Long> allocatedBySite = new HashMap<>();
		Map<String, Long> allocatedByThread = new HashMap<>();
		Map<String, Long> byLayer = new HashMap<>();
		Map<String, Long> allocatedByLayer = new HashMap<>();
		Map<String, Long> layerTotals = new HashMap<>();
		Map<String, Long> allocatedLayerTotals = new HashMap<>();
		Map<String, Long> owners = new HashMap<>();
		Map<String, Long> allocatedOwners = new HashMap<>();
		long samples = 0;
		long allocated = 0;
		for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
			if (event.getStartTime().isBefore(from) || event.getStartTime().isAfter(to)) {
				continue;
			}
			String type = event.getEventType().getName();
			RecordedStackTrace stack = event.getStackTrace();
			if (type.equals("jdk.ExecutionSample") && stack != null && !stack.getFrames().isEmpty()) {
				samples++;
				byThread.merge(threadName(event.getThread("sampledThread")), 1L, Long::sum);
				List<RecordedFrame> frames = stack.getFrames();
				self.merge(method(frames.get(0)), 1L, Long::sum);
				byLayer.merge(threadName(event.getThread("sampledThread")) + " · " + layer(frames), 1L, Long::sum);
				layerTotals.merge(layer(frames), 1L, Long::sum);
				owners.merge(owner(frames), 1L, Long::sum);
				Set<String> seen = new HashSet<>();
				for (RecordedFrame frame : frames) {
					String method = method(frame);
					if (seen.add(method)) {
						total.merge(method, 1L, Long::sum);
					}
				}
				// The innermost frame of the binder's own code: where its share of the time is spent.
				frames.stream()
					.filter(frame -> method(frame).startsWith("dev.rill.binder"))
					.findFirst()
					.ifPresent(frame -> selfRill.merge(method(frame), 1L, Long::sum));
			}
			else if (type.equals("jdk.ObjectAllocationSample")) {
				long weight = event.getLong("weight");
				allocated += weight;
				allocatedByClass.merge(event.getClass("objectClass").getName(), weight, Long::sum);
				allocatedByThread.merge(threadName(event.getThread("eventThread")), weight, Long::sum);
				if (stack != null && !stack.getFrames().isEmpty()) {
					allocatedBySite.merge(allocationSite(stack.getFrames()), weight, Long::sum);
					allocatedByLayer.merge(threadName(event.getThread("eventThread")) + " · " + layer(stack.getFrames()),
							weight, Long::sum);
					allocatedLayerTotals.merge(layer(stack.getFrames()), weight, Long::sum);
					allocatedOwners.merge(owner(stack.getFrames()), weight, Long::sum);
				}
			}
		}
		StringBuilder md = new StringBuilder();
		md.append(String.format(Locale.ROOT, "# Profile of %s%n%n%d execution samples; allocation samples weigh "
				+ "%,.0f bytes%s; between %s and %s.%n%n", recording.getFileName(), samples, (double) allocated,
				(messages > 0) ? String.format(Locale.ROOT, " (%,.0f B per message)", (double) allocated / messages) : "",
				from, to));
		table(md, "CPU samples by thread", "thread", byThread, samples, messages, false);
		table(md, "CPU samples by layer (innermost frame outside the JDK)", "layer", layerTotals, samples, 0, false);
		table(md, "CPU samples by owner (innermost frame outside the JDK, Spring Messaging and Spring core: who "
				+ "asked for the work)", "owner", owners, samples, 0, false);
		table(md, "CPU samples by thread and layer (innermost frame outside the JDK)", "thread · layer", byLayer,
				samples, 0, false);
		table(md, "Top frames (self time)", "method", self, samples, 0, false);
		table(md, "Methods on the stack (total time)", "method", total, samples, 0, false);
		table(md, "Binder code: innermost dev.rill frame of each sample", "method", selfRill, samples, 0, false);
		table(md, "Allocation by thread", "thread", allocatedByThread, allocated, messages, true);
		table(md, "Allocation by layer (innermost frame outside the JDK)", "layer", allocatedLayerTotals, allocated,
				messages, true);
		table(md, "Allocation by owner (innermost frame outside the JDK, Spring Messaging and Spring core)", "owner",
				allocatedOwners, allocated, messages, true);
		table(md, "Allocation by thread and layer (innermost frame outside the JDK)", "thread · layer",
				allocatedByLayer, allocated, messages, true);
		table(md, "Allocation by class", "class", allocatedByClass, allocated, messages, true);
		table(md, "Allocation by site (first frame outside java.*, jdk.*, sun.*)", "method", allocatedBySite,
				allocated, messages, true);
		return md.toString();
	}

	private static void table(StringBuilder md, String title, String what, Map<String, Long> counts, long all,
			long messages, boolean bytes) {
		md.append("## ").append(title).append("\n\n| ").append(what).append(" | share |")
			.append(bytes && messages > 0 ? " B/msg |" : "")
			.append("\n|---|---:|")
			.append(bytes && messages > 0 ? "---:|" : "")
			.append('\n');
		Map<String, Long> top = counts.entrySet()
			.stream()
			.sorted(Map.Entry.<String, Long>comparingByValue().reversed())
			.limit(TOP)
			.collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
		top.forEach((name, count) -> {
			md.append("| `").append(name).append("` | ")
				.append(String.format(Locale.ROOT, "%.1f %%", 100.0 * count / Math.max(1, all)));
			if (bytes && messages > 0) {
				md.append(String.format(Locale.ROOT, " | %,.1f", (double) count / messages));
			}
			md.append(" |\n");
		});
		md.append('\n');
	}

	private static final Map<String, String> LAYERS = layers();

	private static Map<String, String> layers() {
		Map<String, String> layers = new LinkedHashMap<>();
		layers.put("dev.rill.binder", "Rill binder");
		layers.put("dev.rill.e2e", "benchmark harness");
		layers.put("org.HdrHistogram", "benchmark harness");
		layers.put("org.springframework.cloud.function", "Spring Cloud Function");
		layers.put("org.springframework.cloud.stream", "Spring Cloud Stream");
		layers.put("org.springframework.integration", "Spring Integration");
		layers.put("org.springframework.messaging", "Spring Messaging");
		layers.put("org.springframework.data.redis", "Spring Data Redis");
		layers.put("org.springframework.kafka", "Spring Kafka");
		layers.put("org.springframework.retry", "Spring Retry");
		layers.put("org.springframework", "Spring Framework (core, util)");
		layers.put("reactor.", "Reactor");
		layers.put("io.lettuce", "Lettuce");
		layers.put("io.netty", "Netty");
		layers.put("org.apache.kafka", "Kafka client");
		layers.put("com.fasterxml.jackson", "Jackson");
		return layers;
	}

	/**
	 * @return the library of the innermost frame outside the JDK, "JDK" when there is none
	 */
	private static String layer(List<RecordedFrame> frames) {
		for (RecordedFrame frame : frames) {
			String method = method(frame);
			if (method.startsWith("java.") || method.startsWith("jdk.") || method.startsWith("sun.")) {
				continue;
			}
			for (Map.Entry<String, String> layer : LAYERS.entrySet()) {
				if (method.startsWith(layer.getKey())) {
					return layer.getValue();
				}
			}
			return method.substring(0, Math.max(0, method.lastIndexOf('.')));
		}
		return "JDK";
	}

	/** Libraries every layer calls: their work is charged to the caller. */
	private static final java.util.Set<String> SHARED = java.util.Set.of("JDK", "Spring Messaging",
			"Spring Framework (core, util)");

	/**
	 * @return the layer of the innermost frame outside the JDK, Spring Messaging and Spring core
	 */
	private static String owner(List<RecordedFrame> frames) {
		for (int i = 0; i < frames.size(); i++) {
			String layer = layer(frames.subList(i, i + 1));
			if (!SHARED.contains(layer)) {
				return layer;
			}
		}
		return "JDK";
	}

	private static String allocationSite(List<RecordedFrame> frames) {
		Predicate<String> jdk = name -> name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.");
		for (RecordedFrame frame : frames) {
			String method = method(frame);
			if (!jdk.test(method)) {
				return method;
			}
		}
		return method(frames.get(0));
	}

	private static String method(RecordedFrame frame) {
		if (frame.getMethod() == null) {
			return "?";
		}
		return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
	}

	private static String threadName(RecordedThread thread) {
		if (thread == null) {
			return "?";
		}
		// Numbered threads of one pool count as one.
		return thread.getJavaName() == null ? "?" : thread.getJavaName().replaceAll("-\\d+$", "-N");
	}

}
