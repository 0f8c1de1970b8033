package dev.rill.e2e.faults;

import dev.rill.binder.redis.test.RedisServerProcess;
import dev.rill.binder.redis.test.RedisServerProcess.Fsync;
import dev.rill.e2e.platform.Platform;

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
final class FaultPlatform extends AbstractFaultPlatform<FaultPlatform> {

	/** Used by JUnit to create the extension; the shared state is {@link #shared}. */
	FaultPlatform() {
		super(FaultPlatform.class, FaultPlatform::start);
	}

	private FaultPlatform(RedisServerProcess redisServer, Platform platform) {
		super(FaultPlatform.class, FaultPlatform::start, redisServer, platform,
				new RedisEventLog(new Redis(redisServer.host(), redisServer.port()), FaultOracle.GROUPS));
	}

	private static FaultPlatform start() {
		RedisServerProcess redis = RedisServerProcess.builder().appendOnly(Fsync.ALWAYS).build().start();
		Platform platform = services(redis, "faults")
			.property("spring.cloud.stream.redis.default.consumer.claim-idle-time", "10s")
			.property("spring.cloud.stream.redis.default.consumer.claim-interval", "2s")
			.startupTimeout(STARTUP)
			.build();
		return SharedPlatform.started(new FaultPlatform(redis, platform), platform::start);
	}

}
