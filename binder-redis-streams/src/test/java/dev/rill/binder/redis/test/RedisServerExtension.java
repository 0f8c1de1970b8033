package dev.rill.binder.redis.test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import org.springframework.test.context.DynamicPropertyRegistry;

import dev.rill.binder.redis.test.RedisServerProcess.Fsync;

/**
 * JUnit 5 extension that gives a test class a private Redis ({@link RedisServerProcess}):
 * started before the first test, stopped and deleted after the last.
 * <pre>
 * &#64;RegisterExtension
 * static final RedisServerExtension redis = RedisServerExtension.create();
 * // or, for tests that kill Redis and expect acknowledged writes to survive:
 * static final RedisServerExtension redis = RedisServerExtension.withAof(Fsync.ALWAYS);
 *
 * &#64;BeforeEach
 * void isolate() {
 *     redis.flushAll();
 * }
 * </pre>
 * Spring is pointed at it with {@link #springProperties()} or, in a Spring test:
 * <pre>
 * &#64;DynamicPropertySource
 * static void redisProperties(DynamicPropertyRegistry registry) {
 *     redis.registerSpringProperties(registry);
 * }
 * </pre>
 * Test methods, constructors and lifecycle methods may declare a {@link RedisServerProcess}
 * parameter to receive the server (register one such extension per class, or JUnit will
 * not know which to use).
 * <p>
 * The field must be {@code static}: the server lives as long as the test class. The
 * server is also started lazily when it is used before {@code beforeAll} (e.g. from
 * another extension or a static initializer). With {@code @Nested} classes the server
 * belongs to the outermost class that registered it: a nested class' {@code afterAll} does
 * not stop it.
 * <p>
 * A TLS server ({@code RedisServerExtension.of(RedisServerProcess.builder().tls())})
 * whose binary was built without TLS aborts the test class (a JUnit assumption), and its
 * Spring properties include the SSL bundle that trusts its CA.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

	private final RedisServerProcess server;

	/** Whether the server was started since the extension was created or last closed. */
	private boolean started;

	/** The unique id of the class whose {@code beforeAll} came first: it closes the server. */
	private String owner;

	private RedisServerExtension(RedisServerProcess server) {
		this.server = server;
	}

	/**
	 * @return an extension for a server without persistence (no RDB, no AOF): a restart
	 * loses everything
	 */
	public static RedisServerExtension create() {
		return of(RedisServerProcess.builder());
	}

	/**
	 * @param fsync the AOF {@code appendfsync} policy
	 * @return an extension for a server with AOF persistence, so that data survives
	 * {@link #kill()} and {@link #restart()} (all of it with {@link Fsync#ALWAYS})
	 */
	public static RedisServerExtension withAof(Fsync fsync) {
		return of(RedisServerProcess.builder().appendOnly(Objects.requireNonNull(fsync, "fsync")));
	}

	/**
	 * @param builder a builder configured for the server, e.g. with
	 * {@link RedisServerProcess.Builder#setting settings}
	 * @return an extension for the server the builder builds
	 */
	public static RedisServerExtension of(RedisServerProcess.Builder builder) {
		return new RedisServerExtension(builder.build());
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		synchronized (this) {
			if (this.owner == null) {
				this.owner = context.getUniqueId();
			}
		}
		if (this.server.isTls()) {
			Assumptions.assumeTrue(this.server.supportsTls(),
					() -> this.server.binary() + " (" + this.server.version() + ") was built without TLS support");
		}
		ensureStarted();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		synchronized (this) {
			if (!context.getUniqueId().equals(this.owner)) {
				return; // a @Nested class: the enclosing class still needs the server
			}
			this.owner = null;
			this.started = false;
		}
		this.server.close();
	}

	/**
	 * Start the server if it has not been started yet. Only the first use starts it: a
	 * server that a test stopped or killed stays down until the test restarts it.
	 */
	private synchronized void ensureStarted() {
		if (!this.started) {
			this.server.start();
			this.started = true;
		}
	}

	/**
	 * @return the server, started if this is its first use
	 */
	public RedisServerProcess server() {
		ensureStarted();
		return this.server;
	}

	/**
	 * @return the server's port (never 6379); fixed, known before the server starts
	 */
	public int port() {
		return this.server.port();
	}

	/**
	 * @return the server's host, {@code 127.0.0.1}
	 */
	public String host() {
		return this.server.host();
	}

	/**
	 * @return {@code redis://127.0.0.1:PORT}
	 */
	public String uri() {
		return this.server.uri();
	}

	/**
	 * Kill the server with {@code SIGKILL}, as a crash would. See {@link RedisServerProcess#kill()}.
	 */
	public void kill() {
		this.server.kill();
	}

	/**
	 * Stop the server gracefully. See {@link RedisServerProcess#stop()}.
	 */
	public void stop() {
		this.server.stop();
	}

	/**
	 * Start the server again on the same port with its data (AOF, if on). See
	 * {@link RedisServerProcess#restart()}.
	 */
	public void restart() {
		synchronized (this) {
			this.started = true;
		}
		this.server.restart();
	}

	/**
	 * Start the server again on the same port without data. See
	 * {@link RedisServerProcess#restartEmpty()}.
	 */
	public void restartEmpty() {
		synchronized (this) {
			this.started = true;
		}
		this.server.restartEmpty();
	}

	/**
	 * Remove every key ({@code FLUSHALL}), for isolation between tests. The server must be
	 * running.
	 */
	public void flushAll() {
		String reply = server().command("FLUSHALL");
		if (!"OK".equals(reply)) {
			throw new IllegalStateException("FLUSHALL failed: " + reply);
		}
	}

	/**
	 * @return {@code spring.data.redis.host} and {@code spring.data.redis.port} pointing
	 * Spring Data Redis at this server (which is started if this is its first use); for a
	 * TLS server also {@link RedisServerProcess#springSslProperties() the SSL bundle}
	 */
	public Map<String, Object> springProperties() {
		ensureStarted();
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("spring.data.redis.host", this.server.host());
		properties.put("spring.data.redis.port", this.server.port());
		properties.putAll(this.server.springSslProperties());
		return properties;
	}

	/**
	 * Register {@link #springProperties()} from a {@code @DynamicPropertySource} method. The
	 * server is started, if not yet, when Spring reads the properties.
	 * @param registry the method's registry
	 */
	public void registerSpringProperties(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.host", () -> {
			ensureStarted();
			return this.server.host();
		});
		registry.add("spring.data.redis.port", () -> {
			ensureStarted();
			return this.server.port();
		});
		this.server.springSslProperties().forEach((name, value) -> registry.add(name, () -> value));
	}

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == RedisServerProcess.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return server();
	}

	@Override
	public String toString() {
		return "RedisServerExtension[" + this.server + "]";
	}

}
