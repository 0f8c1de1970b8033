package dev.rill.binder.redis;

import java.util.ArrayList;
import java.util.List;

import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * The applications one test starts against its class' private Redis, and that Redis
 * between tests: a JUnit extension for an instance field,
 * <pre>
 * &#64;RegisterExtension
 * static final RedisServerExtension redis = RedisServerExtension.create();
 *
 * &#64;RegisterExtension
 * final StartedApplications applications = new StartedApplications(redis);
 * </pre>
 * Before each test it empties Redis. After each test, once the test class' own
 * {@code @AfterEach} methods ran, it closes the applications the test started, in the
 * order they were started, and then starts Redis again if the test left it stopped or
 * killed, so that the next test finds it running.
 */
public final class StartedApplications implements BeforeEachCallback, AfterEachCallback {

	private final RedisServerExtension redis;

	private final List<ConfigurableApplicationContext> started = new ArrayList<>();

	/**
	 * @param redis the test class' Redis, which the applications use
	 */
	public StartedApplications(RedisServerExtension redis) {
		this.redis = redis;
	}

	/**
	 * Start an application with {@link TestApplications#start}, closed after the test.
	 * @param configuration the application's configuration class
	 * @param properties further {@code key=value} properties
	 * @return the running application
	 */
	public ConfigurableApplicationContext start(Class<?> configuration, String... properties) {
		return closedAfterTheTest(TestApplications.start(configuration, this.redis.springProperties(), properties));
	}

	/**
	 * Start an application with {@link TestApplications#start}, closed after the test.
	 * @param configuration the application's configuration class
	 * @param properties the {@code key=value} properties the test class' applications share
	 * @param extra the test's own, after them (so a test can override a shared one)
	 * @return the running application
	 */
	public ConfigurableApplicationContext start(Class<?> configuration, List<String> properties, String... extra) {
		List<String> all = new ArrayList<>(properties);
		all.addAll(List.of(extra));
		return start(configuration, all.toArray(String[]::new));
	}

	/**
	 * Close an application that was started otherwise after the test, with the ones this
	 * started.
	 * @param application the running application
	 * @return the same application
	 */
	public ConfigurableApplicationContext closedAfterTheTest(ConfigurableApplicationContext application) {
		this.started.add(application);
		return application;
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		this.redis.flushAll();
	}

	@Override
	public void afterEach(ExtensionContext context) {
		this.started.forEach(ConfigurableApplicationContext::close);
		this.started.clear();
		if (!this.redis.server().isRunning()) {
			this.redis.restart();
		}
	}

}
