package dev.rill.e2e.faults;

import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.rill.binder.redis.test.RedisServerProcess;
import dev.rill.binder.redis.test.RedisServerProcess.Fsync;
import dev.rill.e2e.platform.Platform;
import dev.rill.e2e.platform.RillClient;
import dev.rill.e2e.platform.ServiceProcess;

import static org.awaitility.Awaitility.await;

/**
 * The platform every fault test works on, started once for all of them (three service JVMs
 * starting take ~20 s on two cores): a private redis-server with AOF {@code appendfsync always}
 * (so it can be killed and come back with every acknowledged write) and the three services.
 * <p>
 * Settings that differ from the deployed defaults, and why:
 * <ul>
 * <li>{@code claim-idle-time 10s}, {@code claim-interval 2s} (defaults 1 min, 10 s): a service
 * restarted after {@code kill -9} is a new consumer, and the dead one's pending entries are
 * taken over after {@code claim-idle-time}; with the default the same happens a minute later.</li>
 * <li>health details shown, for the failure messages.</li>
 * </ul>
 * A JUnit extension: a test method gets it as a parameter. After each test every service that is
 * not running is started again (and Redis too), so one failed fault test does not take the
 * following ones down with it.
 */
final class FaultPlatform extends SharedPlatform<FaultPlatform> implements FaultTarget, AfterEachCallback, AutoCloseable {

	static final Path ROOT = Path.of(System.getProperty("rill.root", "..")).toAbsolutePath().normalize();

	static final Duration STARTUP = Duration.ofMinutes(4);

	private static final Logger logger = LoggerFactory.getLogger(FaultPlatform.class);

	private final RedisServerProcess redisServer;

	private final Platform platform;

	private final Redis redis;

	private final EventLog events;

	/** Used by JUnit to create the extension; the shared state is {@link #shared}. */
	FaultPlatform() {
		super(FaultPlatform.class, FaultPlatform::start);
		this.redisServer = null;
		this.platform = null;
		this.redis = null;
		this.events = null;
	}

	private FaultPlatform(RedisServerProcess redisServer, Platform platform) {
		super(FaultPlatform.class, FaultPlatform::start);
		this.redisServer = redisServer;
		this.platform = platform;
		this.redis = new Redis(redisServer.host(), redisServer.port());
		this.events = new RedisEventLog(this.redis, FaultOracle.GROUPS);
	}

	private static FaultPlatform start() {
		RedisServerProcess redis = RedisServerProcess.builder().appendOnly(Fsync.ALWAYS).build().start();
		Platform platform = Platform.builder(ROOT)
			.redis(redis.host(), redis.port())
			.property("spring.cloud.stream.redis.default.consumer.claim-idle-time", "10s")
			.property("spring.cloud.stream.redis.default.consumer.claim-interval", "2s")
			.property("management.endpoint.health.show-details", "always")
			.logDirectory(Path.of(System.getProperty("rill.e2e.output", "target/e2e")).resolve("faults"))
			.startupTimeout(STARTUP)
			.build();
		return SharedPlatform.started(new FaultPlatform(redis, platform), platform::start);
	}

	@Override
	public void afterEach(ExtensionContext context) {
		FaultPlatform faults = shared(context);
		if (!faults.redisServer.isRunning()) {
			logger.warn("Redis is down after {}: starting it again", context.getDisplayName());
			faults.redisServer.start();
		}
		recover(faults.platform, context);
	}

	/**
	 * Start every service of the platform that is down again, and kill and start every one that
	 * does not become healthy within 30 s, so that one failed fault test does not fail the next.
	 * @param platform the services
	 * @param context the test that ran
	 */
	static void recover(Platform platform, ExtensionContext context) {
		for (ServiceProcess service : platform.services()) {
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
		platform.awaitHealthy();
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

	@Override
	public RillClient client() {
		return this.platform.client();
	}

	RedisServerProcess redisServer() {
		return this.redisServer;
	}

	/** Reads and writes the streams directly. */
	@Override
	public Redis redis() {
		return this.redis;
	}

	/** The saga's streams, groups and dead-letter streams. */
	@Override
	public EventLog events() {
		return this.events;
	}

	/** Stop the services, then Redis. */
	@Override
	public void close() {
		try {
			this.platform.stop();
		}
		finally {
			this.redisServer.close();
		}
	}

}
