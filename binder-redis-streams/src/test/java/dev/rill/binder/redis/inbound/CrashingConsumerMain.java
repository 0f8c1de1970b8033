package dev.rill.binder.redis.inbound;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import dev.rill.binder.redis.TestApplications;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.messaging.Message;

/**
 * The consumer application that {@link ConsumerProcessCrashTests} runs in a JVM of its
 * own and kills with {@code SIGKILL}: a {@code sink} function reading stream
 * {@value ConsumerFixture#STREAM} that, for every message, works for
 * {@code crashing-consumer.work} and then records the payload in the Redis hash
 * {@value #PROCESSED} ({@code HINCRBY payload 1}), so that the test can see what this
 * process processed, and how often, after it is dead. Once its binding runs it sets
 * {@value #READY} to its pid.
 * <p>
 * Arguments are {@code key=value} properties (the Redis address, the binding and its
 * group, claim settings), passed to the application as {@link TestApplications} passes
 * them. The process halts on its own when the JVM that started it exits, so that a test
 * JVM that dies never leaves it behind.
 */
public final class CrashingConsumerMain {

	/** The Redis hash of payload to how often this process processed it. */
	public static final String PROCESSED = "processed";

	/** The Redis key this process sets once its application (and so its binding) runs. */
	public static final String READY = "crashing-consumer:ready";

	/** Halt after this long whatever happens: a safety net against a forgotten process. */
	private static final Duration MAX_LIFETIME = Duration.ofMinutes(5);

	private CrashingConsumerMain() {
	}

	public static void main(String[] args) {
		ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> halt("parent exited")));
		Thread watchdog = new Thread(() -> {
			LockSupport.parkNanos(MAX_LIFETIME.toNanos());
			halt("lived longer than " + MAX_LIFETIME);
		}, "crashing-consumer-watchdog");
		watchdog.setDaemon(true);
		watchdog.start();
		TestApplications.start(CrashingConsumerApplication.class, Map.of(), args)
			.getBean(StringRedisTemplate.class)
			.opsForValue()
			.set(READY, Long.toString(ProcessHandle.current().pid()));
	}

	private static void halt(String reason) {
		System.err.println("CrashingConsumerMain halts: " + reason);
		Runtime.getRuntime().halt(3);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class CrashingConsumerApplication {

		@Bean
		Consumer<Message<String>> sink(StringRedisTemplate redis,
				@Value("${crashing-consumer.work:5ms}") Duration work) {
			return message -> {
				// Simulated work of the handler (not a wait for some condition).
				LockSupport.parkNanos(work.toNanos());
				redis.opsForHash().increment(PROCESSED, message.getPayload(), 1);
			};
		}

	}

}
