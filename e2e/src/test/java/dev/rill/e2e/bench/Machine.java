package dev.rill.e2e.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The machine a run was made on, for the report: absolute numbers mean little without it.
 *
 * @param cores processors this JVM may use
 * @param cpu the CPU model
 * @param memoryGb physical memory
 * @param loadAverage the 1/5/15-minute load averages when the run started (other work on the machine)
 * @param os operating system and kernel
 * @param jdk the JDK
 * @param started when the run started (UTC)
 */
record Machine(int cores, String cpu, long memoryGb, String loadAverage, String os, String jdk, String started) {

	static Machine describe() {
		var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel(),
				Math.round(os.getTotalMemorySize() / (1024.0 * 1024 * 1024)), currentLoadAverage(),
				System.getProperty("os.name") + " " + System.getProperty("os.version"),
				System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
				Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
	}

	/**
	 * @return the load averages now ({@code /proc/loadavg}), or "unknown"
	 */
	static String currentLoadAverage() {
		try {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
			return fields[0] + " / " + fields[1] + " / " + fields[2];
		}
		catch (IOException | RuntimeException ex) {
			return "unknown";
		}
	}

	private static String cpuModel() {
		try {
			return Files.readAllLines(Path.of("/proc/cpuinfo"))
				.stream()
				.filter(line -> line.startsWith("model name"))
				.map(line -> line.substring(line.indexOf(':') + 1).trim())
				.findFirst()
				.orElse("unknown");
		}
		catch (IOException ex) {
			return "unknown";
		}
	}

}
