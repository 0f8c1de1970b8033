package dev.rill.binder.redis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Starts Spring Boot applications that use the {@code redis} binder against a test's
 * private Redis, the way an application would: through {@code spring.binders} and
 * configuration properties only.
 */
public final class TestApplications {

	private TestApplications() {
	}

	/**
	 * @param configuration the application's configuration class
	 * @param redisProperties the properties pointing Spring at the private Redis
	 * @param properties further {@code key=value} properties
	 * @return the running application
	 */
	public static ConfigurableApplicationContext start(Class<?> configuration, Map<String, Object> redisProperties,
			String... properties) {
		return start(WebApplicationType.NONE, configuration, redisProperties, properties);
	}

	/**
	 * As {@link #start(Class, Map, String...)}, with an embedded web server on a free port
	 * ({@code local.server.port} in the environment).
	 * @param configuration the application's configuration class
	 * @param redisProperties the properties pointing Spring at the private Redis
	 * @param properties further {@code key=value} properties
	 * @return the running application
	 */
	public static ConfigurableApplicationContext startWithWebServer(Class<?> configuration,
			Map<String, Object> redisProperties, String... properties) {
		List<String> all = new ArrayList<>(List.of("server.port=0"));
		all.addAll(List.of(properties));
		return start(WebApplicationType.SERVLET, configuration, redisProperties, all.toArray(String[]::new));
	}

	/**
	 * @param failure what starting an application threw
	 * @param type the exception expected somewhere in its causes
	 * @return the first cause of that type
	 * @throws AssertionError when there is none
	 */
	public static <T extends Throwable> T causeOfFailedStart(Throwable failure, Class<T> type) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		throw new AssertionError("the start did not fail with a " + type.getSimpleName(), failure);
	}

	/**
	 * The fields of the first entry of a stream, read with the application's own Redis
	 * client (so through a cluster too; values such as stack traces span lines, which the
	 * raw test client does not keep apart).
	 * @param application a running application
	 * @param key the stream key
	 * @return the entry's fields by name
	 */
	public static Map<String, String> firstEntryFields(ConfigurableApplicationContext application, String key) {
		Map<String, String> fields = new HashMap<>();
		application.getBean(StringRedisTemplate.class)
			.opsForStream()
			.range(key, Range.unbounded())
			.get(0)
			.getValue()
			.forEach((name, value) -> fields.put(name.toString(), value.toString()));
		return fields;
	}

	private static ConfigurableApplicationContext start(WebApplicationType type, Class<?> configuration,
			Map<String, Object> redisProperties, String... properties) {
		List<String> all = new ArrayList<>();
		redisProperties.forEach((key, value) -> all.add(key + "=" + value));
		all.add("spring.cloud.stream.default-binder=redis");
		all.add("spring.cloud.stream.redis.default.consumer.block-time=200ms");
		all.add("spring.main.banner-mode=off");
		// Brave is on the test classpath for the observation tests, which turn tracing on.
		all.add("management.tracing.enabled=false");
		all.addAll(List.of(properties));
		return new SpringApplicationBuilder(configuration).web(type)
			.properties(all.toArray(String[]::new))
			.run();
	}

}
