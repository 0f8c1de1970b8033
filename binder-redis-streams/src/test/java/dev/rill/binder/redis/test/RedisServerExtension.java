package dev.rill.binder.redis.test;

import java.util.Map;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * JUnit 5 extension that gives a test class a private Redis ({@link RedisServerProcess}):
 * started before the first test, killed and deleted after the last.
 * <pre>
 * &#64;RegisterExtension
 * static final RedisServerExtension redis = RedisServerExtension.create();
 * </pre>
 * Spring is pointed at it with {@link #springProperties()} or, in a Spring test,
 * {@code @DynamicPropertySource} and {@link #registerSpringProperties}.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

	private final RedisServerProcess server;

	private RedisServerExtension(RedisServerProcess server) {
		this.server = server;
	}

	/**
	 * @return an extension for a server without persistence
	 */
	public static RedisServerExtension create() {
		return new RedisServerExtension(RedisServerProcess.builder().build());
	}

	/**
	 * @param fsync the AOF {@code appendfsync} policy
	 * @return an extension for a server with AOF persistence
	 */
	public static RedisServerExtension withAof(RedisServerProcess.Fsync fsync) {
		return new RedisServerExtension(RedisServerProcess.builder().appendOnly(fsync).build());
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		this.server.start();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		this.server.close();
	}

	public RedisServerProcess server() {
		return this.server.isRunning() ? this.server : this.server.start();
	}

	public int port() {
		return this.server.port();
	}

	public String uri() {
		return this.server.uri();
	}

	public void kill() {
		this.server.kill();
	}

	public void stop() {
		this.server.stop();
	}

	public void restart() {
		this.server.restart();
	}

	public void restartEmpty() {
		this.server.restartEmpty();
	}

	/** Remove every key, for isolation between tests. */
	public void flushAll() {
		server().command("FLUSHALL");
	}

	/**
	 * @return the Spring Boot properties that point Spring Data Redis at this server
	 */
	public Map<String, Object> springProperties() {
		return Map.of("spring.data.redis.host", this.server.host(), "spring.data.redis.port", this.server.port());
	}

	/**
	 * @param registry the registry of a {@code @DynamicPropertySource} method
	 */
	public void registerSpringProperties(DynamicPropertyRegistry registry) {
		springProperties().forEach((name, value) -> registry.add(name, () -> value));
	}

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == RedisServerProcess.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return server();
	}

}
