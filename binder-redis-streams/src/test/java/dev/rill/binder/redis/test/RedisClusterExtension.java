package dev.rill.binder.redis.test;

import java.util.Map;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * JUnit 5 extension that gives a test class a private Redis Cluster
 * ({@link RedisClusterProcess}: 3 primaries, no replicas): created before the first test,
 * stopped and deleted after the last.
 * <pre>
 * &#64;RegisterExtension
 * static final RedisClusterExtension cluster = RedisClusterExtension.create();
 *
 * &#64;BeforeEach
 * void isolate() {
 *     cluster.flushAll();
 * }
 *
 * &#64;Test
 * void spreads() {
 *     ... TestApplications.start(App.class, cluster.springProperties(), ...);
 *     assertThat(cluster.slotOwner("orders:0")).isNotSameAs(cluster.slotOwner("orders:1"));
 *     assertThat(cluster.command("orders:0", "XLEN", "orders:0")).isEqualTo("3");
 * }
 * </pre>
 * Test methods, constructors and lifecycle methods may declare a {@link RedisClusterProcess}
 * parameter to receive the cluster. The field must be {@code static}; with {@code @Nested}
 * classes the cluster belongs to the outermost class that registered it.
 */
public final class RedisClusterExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

	private final RedisClusterProcess.Builder builder;

	private RedisClusterProcess cluster;

	/** The unique id of the class whose {@code beforeAll} came first: it closes the cluster. */
	private String owner;

	private RedisClusterExtension(RedisClusterProcess.Builder builder) {
		this.builder = builder;
	}

	/**
	 * @return an extension for a cluster of 3 primaries without persistence, created with
	 * {@code redis-cli} when it is on {@code PATH}, with cluster commands otherwise
	 */
	public static RedisClusterExtension create() {
		return of(RedisClusterProcess.builder());
	}

	/**
	 * @param builder a builder configured for the cluster
	 * @return an extension for the cluster the builder builds
	 */
	public static RedisClusterExtension of(RedisClusterProcess.Builder builder) {
		return new RedisClusterExtension(builder);
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		synchronized (this) {
			if (this.owner == null) {
				this.owner = context.getUniqueId();
			}
		}
		cluster();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		RedisClusterProcess closing;
		synchronized (this) {
			if (!context.getUniqueId().equals(this.owner)) {
				return; // a @Nested class: the enclosing class still needs the cluster
			}
			this.owner = null;
			closing = this.cluster;
			this.cluster = null;
		}
		if (closing != null) {
			closing.close();
		}
	}

	/**
	 * @return the cluster, created and started if this is its first use
	 */
	public synchronized RedisClusterProcess cluster() {
		if (this.cluster == null) {
			RedisClusterProcess created = this.builder.build();
			this.cluster = created.start();
		}
		return this.cluster;
	}

	/**
	 * @return {@code spring.data.redis.cluster.nodes} pointing Spring Data Redis at the
	 * cluster
	 */
	public Map<String, Object> springProperties() {
		return cluster().springProperties();
	}

	/**
	 * Register {@link #springProperties()} from a {@code @DynamicPropertySource} method.
	 * @param registry the method's registry
	 */
	public void registerSpringProperties(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.cluster.nodes", () -> cluster().nodes());
	}

	/**
	 * Remove every key from every primary.
	 */
	public void flushAll() {
		cluster().flushAll();
	}

	/**
	 * @param key a key
	 * @return its hash slot
	 */
	public int slot(String key) {
		return cluster().slot(key);
	}

	/**
	 * @param key a key
	 * @return the primary that owns the key's slot
	 */
	public RedisServerProcess slotOwner(String key) {
		return cluster().slotOwner(key);
	}

	/**
	 * A raw command sent to the primary that owns {@code key}; see
	 * {@link RedisClusterProcess#command(String, String...)}.
	 * @param key the key whose owner receives the command
	 * @param args the command and its arguments
	 * @return the reply as text
	 */
	public String command(String key, String... args) {
		return cluster().command(key, args);
	}

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == RedisClusterProcess.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return cluster();
	}

	@Override
	public String toString() {
		return "RedisClusterExtension[" + ((this.cluster != null) ? this.cluster : "not started") + "]";
	}

}
