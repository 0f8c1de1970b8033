package dev.rill.e2e.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.rill.binder.redis.test.RedisServerProcess;
import dev.rill.e2e.platform.Platform;
import dev.rill.e2e.platform.ServiceProcess;

import static org.awaitility.Awaitility.await;

/**
 * What the fault platforms of both binders ({@link FaultPlatform}, {@link KafkaFaultPlatform})
 * share: the three services, the private redis-server that holds their state, a client of it and
 * the saga's {@link EventLog}; the settings every fault platform gives the services; the recovery
 * after each test; and the order things stop in (the services first, so that none of them sees
 * its transport go away while it still runs). A subclass starts its transport and the services.
 * @param <T> the platform's class, which is the JUnit extension too
 */
abstract class AbstractFaultPlatform<T extends AbstractFaultPlatform<T>> extends SharedPlatform<T>
		implements FaultTarget, AfterEachCallback, AutoCloseable {

	/** The repository's root (the services' jars are in {@code <root>/<service>/target/}). */
	static final Path ROOT = Path.of(System.getProperty("rill.root", "..")).toAbsolutePath().normalize();

	/** How long the services may take to become healthy, at the start and after a restart. */
	static final Duration STARTUP = Duration.ofMinutes(4);

	private static final Logger logger = LoggerFactory.getLogger(AbstractFaultPlatform.class);

	private final RedisServerProcess redisServer;

	private final Platform platform;

	private final Redis redis;

	private final EventLog events;

	/**
	 * The extension JUnit creates: it holds nothing itself; the platform the tests get is
	 * {@link #shared}, started by {@code start}.
	 * @param type the platform's class
	 * @param start starts the platform
	 */
	AbstractFaultPlatform(Class<T> type, Supplier<T> start) {
		super(type, start);
		this.redisServer = null;
		this.platform = null;
		this.redis = null;
		this.events = null;
	}

	/**
	 * A platform whose Redis and transport run; its services are started by
	 * {@link SharedPlatform#started}.
	 * @param type the platform's class
	 * @param start how it was started
	 * @param redisServer the services' Redis
	 * @param platform the services
	 * @param events the saga's events on the transport
	 */
	AbstractFaultPlatform(Class<T> type, Supplier<T> start, RedisServerProcess redisServer, Platform platform,
			EventLog events) {
		super(type, start);
		this.redisServer = redisServer;
		this.platform = platform;
		this.redis = new Redis(redisServer.host(), redisServer.port());
		this.events = events;
	}

	/**
	 * The services' settings common to every fault platform: their state in {@code redis}, health
	 * details shown (for the failure messages), their logs in {@code e2e/target/e2e/<logFolder>/},
	 * all tests and restarts appended.
	 * @param redis the services' Redis
	 * @param logFolder the folder of the logs
	 * @return a builder to add the platform's own settings to
	 */
	static Platform.Builder services(RedisServerProcess redis, String logFolder) {
		return Platform.builder(ROOT)
			.redis(redis.host(), redis.port())
			.property("management.endpoint.health.show-details", "always")
			.logDirectory(Path.of(System.getProperty("rill.e2e.output", "target/e2e")).resolve(logFolder));
	}

	/**
	 * Start Redis again if the test left it down, then every service that is down, and kill and
	 * start every one that does not become healthy within 30 s, so that one failed fault test
	 * does not fail the next.
	 */
	@Override
	public void afterEach(ExtensionContext context) {
		AbstractFaultPlatform<?> faults = shared(context);
		if (!faults.redisServer.isRunning()) {
			logger.warn("Redis is down after {}: starting it again", context.getDisplayName());
			faults.redisServer.start();
		}
		for (ServiceProcess service : faults.platform.services()) {
			if (!service.isAlive()) {
				logger.warn("{} is down after {}: starting it again", service.name(), context.getDisplayName());
				service.start();
			}
			else if (!healthyWithin(service, Duration.ofSeconds(30))) {
				logger.warn("{} is not healthy after {} ({}): killing and starting it again", service.name(),
						context.getDisplayName(), service.health());
				service.kill();
				service.start();
			}
		}
		faults.platform.awaitHealthy();
	}

	private static boolean healthyWithin(ServiceProcess service, Duration timeout) {
		try {
			await().atMost(timeout).pollInterval(Duration.ofMillis(500)).until(service::isHealthy);
			return true;
		}
		catch (ConditionTimeoutException ex) {
			return false;
		}
	}

	@Override
	public Platform platform() {
		return this.platform;
	}

	/**
	 * @return the services' Redis process, to kill, restart or freeze
	 */
	RedisServerProcess redisServer() {
		return this.redisServer;
	}

	/** Reads and writes Redis directly. */
	@Override
	public Redis redis() {
		return this.redis;
	}

	/** The saga's streams or topics, groups and dead letters. */
	@Override
	public EventLog events() {
		return this.events;
	}

	/** Stop the services, then the event log, Redis and the transport, each even if the one before failed. */
	@Override
	public void close() {
		try {
			this.platform.stop();
		}
		finally {
			try {
				this.events.close();
				this.redisServer.close();
			}
			finally {
				closeTransport();
			}
		}
	}

	/**
	 * Stop what carries the events besides Redis, last; nothing on the Redis binder, where Redis is
	 * the transport.
	 */
	void closeTransport() {
	}

}
