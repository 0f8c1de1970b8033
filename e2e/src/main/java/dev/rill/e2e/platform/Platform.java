package dev.rill.e2e.platform;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The three services, each in a JVM of its own ({@link ServiceProcess}), pointed at one Redis
 * (their state, and the transport unless the Kafka binder is chosen).
 * <pre>
 * try (Platform platform = Platform.builder(root).redis("127.0.0.1", 6390).logDirectory(dir).build()) {
 *     platform.start();                         // all three in parallel, then waits for health
 *     platform.client().setStock("apple", 10);
 *     platform.service(Service.INVENTORY).kill();
 * }
 * </pre>
 */
public final class Platform implements AutoCloseable {

	/** Small heaps: three service JVMs share the machine with the build and the tests. */
	public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC",
			"-XX:TieredStopAtLevel=1");

	private final Map<Service, ServiceProcess> services;

	private final Duration startupTimeout;

	/** What started each service, for {@link #anotherInstance}. */
	private final Map<Service, List<String>> arguments = new EnumMap<>(Service.class);

	private final Path repositoryRoot;

	private final List<String> jvmOptions;

	private final Path logDirectory;

	private Platform(Builder builder) {
		Map<Service, ServiceProcess> processes = new EnumMap<>(Service.class);
		for (Service service : Service.values()) {
			List<String> arguments = new ArrayList<>();
			arguments.add("--spring.data.redis.host=" + builder.redisHost);
			arguments.add("--spring.data.redis.port=" + builder.redisPort);
			if (!builder.profiles.isEmpty()) {
				arguments.add("--spring.profiles.active=" + String.join(",", builder.profiles));
			}
			builder.properties.forEach((name, value) -> arguments.add("--" + name + "=" + value));
			builder.serviceProperties.getOrDefault(service, Map.of())
				.forEach((name, value) -> arguments.add("--" + name + "=" + value));
			this.arguments.put(service, List.copyOf(arguments));
			int port = builder.ports.getOrDefault(service, 0);
			processes.put(service, new ServiceProcess(service.artifact(), service.jar(builder.repositoryRoot), port,
					builder.jvmOptions, arguments, builder.logDirectory.resolve(service.artifact() + ".log")));
		}
		this.services = processes;
		this.startupTimeout = builder.startupTimeout;
		this.repositoryRoot = builder.repositoryRoot;
		this.jvmOptions = builder.jvmOptions;
		this.logDirectory = builder.logDirectory;
	}

	/**
	 * @param repositoryRoot the root of the Rill repository (the jars are in
	 * {@code <root>/<service>/target/})
	 * @return a builder
	 */
	public static Builder builder(Path repositoryRoot) {
		return new Builder(repositoryRoot);
	}

	/**
	 * Start the three services at once (their startups overlap) and wait until all are healthy.
	 * @return this
	 * @throws IllegalStateException when one does not come up; the others keep running (close the platform)
	 */
	public Platform start() {
		this.services.values().forEach(ServiceProcess::start);
		awaitHealthy();
		return this;
	}

	/**
	 * Wait until every service answers {@code /actuator/health} with 200.
	 * @return this
	 */
	public Platform awaitHealthy() {
		for (ServiceProcess service : this.services.values()) {
			service.awaitHealthy(this.startupTimeout);
		}
		return this;
	}

	/**
	 * Stop all services gracefully, in parallel.
	 */
	public void stop() {
		CompletableFuture.allOf(this.services.values()
			.stream()
			.map(service -> CompletableFuture.runAsync(service::stop))
			.toArray(CompletableFuture[]::new)).join();
	}

	/** Same as {@link #stop()}. */
	@Override
	public void close() {
		stop();
	}

	/**
	 * @param service which
	 * @return its process
	 */
	public ServiceProcess service(Service service) {
		return this.services.get(service);
	}

	/**
	 * @return order-app
	 */
	public ServiceProcess order() {
		return service(Service.ORDER);
	}

	/**
	 * @return inventory-app
	 */
	public ServiceProcess inventory() {
		return service(Service.INVENTORY);
	}

	/**
	 * @return notification-app
	 */
	public ServiceProcess notification() {
		return service(Service.NOTIFICATION);
	}

	/**
	 * @return the three services
	 */
	public List<ServiceProcess> services() {
		return List.copyOf(this.services.values());
	}

	/**
	 * A further instance of a service, as a second replica of a deployment would be: the same
	 * jar and settings, on a free port of its own; with the Redis binder it joins the same
	 * consumer groups under a consumer name of its own. The platform does not manage it: the
	 * caller starts and stops it, and {@link #client()} keeps talking to the platform's instances.
	 * @param service which service
	 * @param name its name, for messages and its log file {@code <log directory>/<name>.log}
	 * @return the instance, not started
	 */
	public ServiceProcess anotherInstance(Service service, String name) {
		return new ServiceProcess(name, service.jar(this.repositoryRoot), 0, this.jvmOptions,
				this.arguments.get(service), this.logDirectory.resolve(name + ".log"));
	}

	/**
	 * @return a client of the services' HTTP APIs
	 */
	public RillClient client() {
		return new RillClient(order().baseUri(), inventory().baseUri(), notification().baseUri());
	}

	/** Configures a {@link Platform}. */
	public static final class Builder {

		private final Path repositoryRoot;

		private String redisHost = "127.0.0.1";

		private int redisPort = -1;

		private final Set<String> profiles = new LinkedHashSet<>();

		private final Map<String, String> properties = new LinkedHashMap<>();

		private final Map<Service, Map<String, String>> serviceProperties = new EnumMap<>(Service.class);

		private final Map<Service, Integer> ports = new EnumMap<>(Service.class);

		private List<String> jvmOptions = DEFAULT_JVM_OPTIONS;

		private Path logDirectory = Path.of("target", "e2e");

		private Duration startupTimeout = Duration.ofMinutes(2);

		private Builder(Path repositoryRoot) {
			this.repositoryRoot = Objects.requireNonNull(repositoryRoot, "repositoryRoot").toAbsolutePath().normalize();
		}

		/**
		 * @param host Redis host
		 * @param port Redis port
		 * @return this
		 */
		public Builder redis(String host, int port) {
			this.redisHost = Objects.requireNonNull(host, "host");
			this.redisPort = port;
			return this;
		}

		/**
		 * Carry the events over Kafka (profile {@code kafka}); state stays in Redis.
		 * @param bootstrapServers the brokers, e.g. {@code 127.0.0.1:9092}
		 * @return this
		 */
		public Builder kafka(String bootstrapServers) {
			this.profiles.add("kafka");
			return property("spring.kafka.bootstrap-servers", bootstrapServers);
		}

		/**
		 * @param profiles Spring profiles to activate, e.g. {@code local}
		 * @return this
		 */
		public Builder profiles(String... profiles) {
			this.profiles.addAll(List.of(profiles));
			return this;
		}

		/**
		 * @param name a Spring property, e.g. {@code logging.level.dev.rill}
		 * @param value its value for all three services
		 * @return this
		 */
		public Builder property(String name, String value) {
			this.properties.put(name, value);
			return this;
		}

		/**
		 * @param service which service
		 * @param name a Spring property
		 * @param value its value for that service
		 * @return this
		 */
		public Builder property(Service service, String name, String value) {
			this.serviceProperties.computeIfAbsent(service, s -> new LinkedHashMap<>()).put(name, value);
			return this;
		}

		/**
		 * @param service which service
		 * @param port its HTTP port (by default a free one)
		 * @return this
		 */
		public Builder port(Service service, int port) {
			this.ports.put(service, port);
			return this;
		}

		/**
		 * @param options JVM options of every service (default {@link #DEFAULT_JVM_OPTIONS})
		 * @return this
		 */
		public Builder jvmOptions(List<String> options) {
			this.jvmOptions = List.copyOf(options);
			return this;
		}

		/**
		 * @param directory where {@code <service>.log} files go
		 * @return this
		 */
		public Builder logDirectory(Path directory) {
			this.logDirectory = Objects.requireNonNull(directory, "directory");
			return this;
		}

		/**
		 * @param timeout how long {@link Platform#start()} waits for health (2 min by default)
		 * @return this
		 */
		public Builder startupTimeout(Duration timeout) {
			this.startupTimeout = Objects.requireNonNull(timeout, "timeout");
			return this;
		}

		/**
		 * @return the platform, not started
		 */
		public Platform build() {
			if (this.redisPort <= 0) {
				throw new IllegalStateException("Set the Redis the services use: redis(host, port)");
			}
			return new Platform(this);
		}

	}

}
