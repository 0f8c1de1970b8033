package dev.rill.e2e.faults;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.rill.binder.redis.test.RedisServerProcess;
import dev.rill.e2e.platform.ServiceProcess;

/**
 * A redis-server frozen with {@code SIGSTOP} until {@link #close()} sends {@code SIGCONT}: to its
 * clients, what a network partition looks like. Their connections stay open and new ones are
 * accepted by the kernel (up to the listen backlog), but nothing is answered, so every command
 * ends in the client's timeout, not in "connection refused"; whatever was written meanwhile is
 * executed when the server goes on.
 */
final class FrozenRedis implements AutoCloseable {

	private static final Pattern PROCESS_ID = Pattern.compile("process_id:(\\d+)");

	private final long pid;

	private boolean frozen;

	private FrozenRedis(long pid) {
		this.pid = pid;
	}

	/**
	 * @param server a running server
	 * @return the server, frozen
	 */
	static FrozenRedis freeze(RedisServerProcess server) {
		// The fixture keeps the Process but does not expose it: the server names its own pid.
		Matcher matcher = PROCESS_ID.matcher(String.valueOf(server.command("INFO", "server")));
		if (!matcher.find()) {
			throw new IllegalStateException("INFO server of " + server + " names no process_id");
		}
		FrozenRedis redis = new FrozenRedis(Long.parseLong(matcher.group(1)));
		ServiceProcess.signal(redis.pid, "STOP");
		redis.frozen = true;
		return redis;
	}

	/** Let the server go on ({@code SIGCONT}); does nothing the second time. */
	@Override
	public void close() {
		if (this.frozen) {
			ServiceProcess.signal(this.pid, "CONT");
			this.frozen = false;
		}
	}

}
