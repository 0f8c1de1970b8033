package dev.rill.binder.redis.properties;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Binder-wide settings of the Redis Streams binder, bound from
 * {@code spring.cloud.stream.redis.binder.*}.
 * <p>
 * The Redis connection itself is not configured here: the binder uses the application's
 * Spring Data Redis connection factory ({@code spring.data.redis.*}), so standalone,
 * Sentinel, Cluster, TLS and ACL users work as Spring Boot configures them.
 * <p>
 * The class validates itself (Spring Boot applies a {@link Validator} implemented by a
 * {@code @ConfigurationProperties} bean), so a wrong value fails startup with a message
 * naming the property.
 */
@ConfigurationProperties(prefix = "spring.cloud.stream.redis.binder")
public class RedisStreamsBinderConfigurationProperties implements Validator {

	private static final String PREFIX = "spring.cloud.stream.redis.binder.";

	/**
	 * Prefix prepended to every stream key the binder reads or writes, for example
	 * {@code "prod:"} turns destination {@code orders} into stream key {@code prod:orders}.
	 * Empty by default.
	 */
	private String keyPrefix = "";

	/**
	 * How long the health indicator waits for Redis to answer before it reports DOWN.
	 */
	private Duration healthTimeout = Duration.ofSeconds(2);

	/**
	 * Upper bound on a consumer binding's shutdown: the time in-flight handlers get to
	 * finish and acknowledge their entries after reading has stopped.
	 */
	private Duration shutdownTimeout = Duration.ofSeconds(10);

	/**
	 * How often the lag and pending gauges query Redis (a scrape reads the last values).
	 */
	private Duration metricsRefreshInterval = Duration.ofSeconds(10);

	/**
	 * Whether to observe sends and consumed messages with Micrometer Observation, which
	 * needs an {@code ObservationRegistry} bean (Spring Boot Actuator creates one). Then a
	 * producer writes the trace headers of its send ({@code traceparent}, {@code tracestate},
	 * baggage) into the entry, and a consumer's handler runs in an observation that continues
	 * that trace. Off by default, like the Kafka binder's {@code enable-observation}.
	 */
	private boolean enableObservation;

	/**
	 * Whether a Redis that cannot be reached when the binder starts fails the start of the
	 * application. Off by default: the application starts, the binder's health is DOWN and
	 * the bindings retry until Redis answers, so services started before Redis come up by
	 * themselves. Problems that waiting does not heal (wrong credentials, plain TCP to a TLS
	 * port, a failed TLS handshake) fail the start either way.
	 */
	private boolean failFast;

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = (keyPrefix != null) ? keyPrefix : "";
	}

	public Duration getHealthTimeout() {
		return this.healthTimeout;
	}

	public void setHealthTimeout(Duration healthTimeout) {
		this.healthTimeout = healthTimeout;
	}

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public Duration getMetricsRefreshInterval() {
		return this.metricsRefreshInterval;
	}

	public void setMetricsRefreshInterval(Duration metricsRefreshInterval) {
		this.metricsRefreshInterval = metricsRefreshInterval;
	}

	public boolean isEnableObservation() {
		return this.enableObservation;
	}

	public void setEnableObservation(boolean enableObservation) {
		this.enableObservation = enableObservation;
	}

	public boolean isFailFast() {
		return this.failFast;
	}

	public void setFailFast(boolean failFast) {
		this.failFast = failFast;
	}

	@Override
	public boolean supports(Class<?> clazz) {
		return RedisStreamsBinderConfigurationProperties.class.isAssignableFrom(clazz);
	}

	@Override
	public void validate(Object target, Errors errors) {
		RedisStreamsBinderConfigurationProperties properties = (RedisStreamsBinderConfigurationProperties) target;
		PropertyChecks.positive(errors, PREFIX + "health-timeout", properties.getHealthTimeout());
		PropertyChecks.positive(errors, PREFIX + "shutdown-timeout", properties.getShutdownTimeout());
		PropertyChecks.positive(errors, PREFIX + "metrics-refresh-interval", properties.getMetricsRefreshInterval());
	}

}
