package dev.rill.e2e.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Resources used so far: CPU of this JVM and of the server process (Redis or the Kafka broker,
 * from {@code /proc/<pid>/stat}), bytes allocated by this JVM's threads, garbage collections.
 * On a shared machine, CPU per message is steadier than messages per second.
 *
 * @param cpuNanos CPU time of this JVM
 * @param serverCpuNanos CPU time of the server process, -1 when unknown
 * @param allocatedByThread bytes allocated per live thread id
 * @param gcCount collections
 * @param gcMillis time in collections
 */
record Usage(long cpuNanos, long serverCpuNanos, Map<Long, Long> allocatedByThread, long gcCount, long gcMillis) {

	/** Linux's USER_HZ: /proc reports CPU time in 1/100 s. */
	private static final long NANOS_PER_TICK = 10_000_000L;

	static Usage now(long serverPid) {
		var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
		long[] ids = threads.getAllThreadIds();
		long[] bytes = threads.getThreadAllocatedBytes(ids);
		Map<Long, Long> allocated = new HashMap<>();
		for (int i = 0; i < ids.length; i++) {
			if (bytes[i] >= 0) {
				allocated.put(ids[i], bytes[i]);
			}
		}
		long gcCount = 0;
		long gcMillis = 0;
		for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
			gcCount += Math.max(0, gc.getCollectionCount());
			gcMillis += Math.max(0, gc.getCollectionTime());
		}
		return new Usage(os.getProcessCpuTime(), processCpuNanos(serverPid), allocated, gcCount, gcMillis);
	}

	/**
	 * @param pid a process id
	 * @return its user + system CPU time, -1 when unknown (not Linux)
	 */
	static long processCpuNanos(long pid) {
		if (pid <= 0) {
			return -1;
		}
		try {
			String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
			// Fields after the command name (in parentheses, may hold spaces): state is field 3,
			// utime 14, stime 15.
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	/**
	 * @param earlier a snapshot taken before this one
	 * @return bytes allocated in between by the threads alive now
	 */
	long allocatedSince(Usage earlier) {
		long total = 0;
		for (Map.Entry<Long, Long> thread : this.allocatedByThread.entrySet()) {
			total += thread.getValue() - earlier.allocatedByThread.getOrDefault(thread.getKey(), 0L);
		}
		return total;
	}

}
