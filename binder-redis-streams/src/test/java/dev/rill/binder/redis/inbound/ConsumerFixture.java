package dev.rill.binder.redis.inbound;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

import dev.rill.binder.redis.TestApplications;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.messaging.Message;

/**
 * What the consumer binding tests share: an application whose {@code sink} function
 * records every message it is handed and then runs the test's {@link #behaviour}, the
 * applications a test started (closed after it), and raw Redis commands to write entries
 * and look at groups, independent of the binder's producer.
 * <p>
 * The stream is {@value #STREAM}; named-group tests use group {@value #GROUP}. Test
 * classes run one after the other, so the recorded messages can be static (the function
 * bean lives in an application the test cannot reach into easily).
 * <p>
 * Registered as a JUnit extension on an instance field, it resets before each test and
 * closes what the test started after it (after the test class' own {@code @AfterEach}
 * methods):
 * <pre>
 * &#64;RegisterExtension
 * final ConsumerFixture fixture = new ConsumerFixture(redis);
 * </pre>
 * A test class that must do something before the reset (start a Redis a test left down)
 * keeps it in a plain field and calls {@link #reset()} and {@link #closeAll()} itself.
 */
final class ConsumerFixture implements BeforeEachCallback, AfterEachCallback {

	static final String STREAM = "work";

	static final String GROUP = "workers";

	static final String BINDING = "spring.cloud.stream.bindings.sink-in-0.consumer.";

	static final String REDIS_BINDING = "spring.cloud.stream.redis.bindings.sink-in-0.consumer.";

	/** Every message handed to the {@code sink} function, in order. */
	static final List<Message<String>> received = new CopyOnWriteArrayList<>();

	/** What the {@code sink} function does after recording a message. */
	static volatile Consumer<Message<String>> behaviour = message -> {
	};

	private final RedisServerExtension redis;

	private final List<ConfigurableApplicationContext> applications = new ArrayList<>();

	private final List<Runnable> beforeClose = new CopyOnWriteArrayList<>();

	ConsumerFixture(RedisServerExtension redis) {
		this.redis = redis;
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		reset();
	}

	@Override
	public void afterEach(ExtensionContext context) {
		closeAll();
	}

	/** Empty Redis and forget what earlier tests received. */
	void reset() {
		this.redis.flushAll();
		received.clear();
		behaviour = message -> {
		};
	}

	/**
	 * Run {@code action} before the applications are closed, typically to release
	 * handlers a test left blocked (so that closing does not wait for the shutdown
	 * timeout).
	 */
	void beforeClose(Runnable action) {
		this.beforeClose.add(action);
	}

	/** Release what the test blocked and close every application it started. */
	void closeAll() {
		this.beforeClose.forEach(Runnable::run);
		this.beforeClose.clear();
		this.applications.forEach(ConfigurableApplicationContext::close);
		this.applications.clear();
	}

	/**
	 * Start an application whose {@code sink} reads {@value #STREAM}.
	 * @param group the binding's group, {@code null} for an anonymous consumer
	 * @param extra further {@code key=value} properties
	 */
	ConfigurableApplicationContext start(String group, String... extra) {
		return start(SinkApplication.class, group, extra);
	}

	/**
	 * Start an application with a {@code sink} function bean that reads {@value #STREAM}.
	 */
	ConfigurableApplicationContext start(Class<?> configuration, String group, String... extra) {
		List<String> properties = new ArrayList<>(List.of("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=" + STREAM));
		if (group != null) {
			properties.add("spring.cloud.stream.bindings.sink-in-0.group=" + group);
		}
		properties.addAll(List.of(extra));
		ConfigurableApplicationContext application = TestApplications.start(configuration,
				this.redis.springProperties(), properties.toArray(String[]::new));
		this.applications.add(application);
		return application;
	}

	/** A raw Redis command; see {@code RespClient#command} for the reply format. */
	String command(String... args) {
		return this.redis.server().command(args);
	}

	/** Append a text entry to {@value #STREAM}; returns its id. */
	String xadd(String payload) {
		return xadd(STREAM, payload);
	}

	/** Append a text entry to a stream; returns its id. */
	String xadd(String key, String payload) {
		return command("XADD", key, "*", "payload", payload, "contentType", "text/plain");
	}

	/** How many entries of {@value #STREAM} are pending for group {@value #GROUP}. */
	long pending() {
		return Long.parseLong(command("XPENDING", STREAM, GROUP).split("\n")[0]);
	}

	/** The payloads received so far, in order. */
	static List<String> payloads() {
		return received.stream().map(Message::getPayload).toList();
	}

	/** How often {@code payload} was received. */
	static long timesReceived(String payload) {
		return received.stream().filter(message -> payload.equals(message.getPayload())).count();
	}

	/**
	 * Wait for the latch as a well-behaved handler waits: when interrupted (a shutdown
	 * that ran out of patience) it keeps the interrupt and fails.
	 */
	static void block(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while handling", ex);
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class SinkApplication {

		@Bean
		Consumer<Message<String>> sink() {
			return message -> {
				received.add(message);
				behaviour.accept(message);
			};
		}

	}

}
