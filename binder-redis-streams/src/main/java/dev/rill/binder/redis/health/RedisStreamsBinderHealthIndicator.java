package dev.rill.binder.redis.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import dev.rill.binder.redis.RedisStreamsMessageChannelBinder;
import dev.rill.binder.redis.inbound.ConsumerState;
import dev.rill.binder.redis.inbound.RedisStreamsMessageDrivenChannelAdapter;
import dev.rill.binder.redis.properties.RedisStreamsConsumerProperties;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;

/**
 * The binder's contribution to {@code /actuator/health} (under {@code binders.redis}).
 * <p>
 * DOWN when Redis does not answer a {@code PING} within {@code health-timeout}, or when a
 * consumer of a running binding is dead (its thread ended) or stalled (it has not
 * completed a read for longer than its {@code claim-idle-time}, after which other
 * instances would take its entries for a dead consumer's; a consumer that never completed
 * one, for example because its ACL user may not {@code XREADGROUP}, counts from its
 * creation). A paused binding is never stalled. The details name every binding with its state and, per consumer, the stream,
 * consumer name, last successful read and last failure.
 * <p>
 * The check never waits on Redis for longer than {@code health-timeout}, however Lettuce's
 * own timeouts are set: the endpoint must answer even when Redis does not.
 */
public class RedisStreamsBinderHealthIndicator implements HealthIndicator {

	private final RedisStreamsMessageChannelBinder binder;

	private final ReactiveRedisConnectionFactory connectionFactory;

	private final Duration timeout;

	private final Clock clock;

	public RedisStreamsBinderHealthIndicator(RedisStreamsMessageChannelBinder binder,
			ReactiveRedisConnectionFactory connectionFactory, Duration timeout) {
		this(binder, connectionFactory, timeout, Clock.systemUTC());
	}

	RedisStreamsBinderHealthIndicator(RedisStreamsMessageChannelBinder binder,
			ReactiveRedisConnectionFactory connectionFactory, Duration timeout, Clock clock) {
		this.binder = binder;
		this.connectionFactory = connectionFactory;
		this.timeout = timeout;
		this.clock = clock;
	}

	@Override
	public Health health() {
		String redis = ping();
		boolean up = redis.equals("up");
		Map<String, Object> bindings = new LinkedHashMap<>();
		for (RedisStreamsMessageDrivenChannelAdapter endpoint : this.binder.getConsumerEndpoints()) {
			BindingHealth binding = bindingHealth(endpoint);
			up &= binding.healthy();
			bindings.put(endpoint.getDestination().getName() + "." + endpoint.getDestination().getGroup(),
					binding.details());
		}
		return (up ? Health.up() : Health.down()).withDetail("redis", redis)
			.withDetail("bindings", bindings)
			.build();
	}

	private String ping() {
		try {
			String reply = Mono
				.usingWhen(Mono.fromSupplier(this.connectionFactory::getReactiveConnection),
						ReactiveRedisConnection::ping, ReactiveRedisConnection::closeLater)
				.block(this.timeout);
			return "PONG".equalsIgnoreCase(reply) ? "up" : "unexpected reply to PING: " + reply;
		}
		catch (RuntimeException ex) {
			Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
			return "unreachable: " + ((cause instanceof TimeoutException)
					? "no answer within " + this.timeout : cause.getMessage());
		}
	}

	private BindingHealth bindingHealth(RedisStreamsMessageDrivenChannelAdapter endpoint) {
		String state = !endpoint.isRunning() ? "stopped" : endpoint.isPaused() ? "paused" : "running";
		RedisStreamsConsumerProperties properties = endpoint.getProperties().getExtension();
		Duration stallAfter = properties.getClaimIdleTime().plus(properties.getBlockTime());
		Instant now = this.clock.instant();
		boolean healthy = true;
		List<Map<String, Object>> consumers = new ArrayList<>();
		for (ConsumerState consumer : endpoint.consumerStates()) {
			String status = consumerStatus(consumer, state, stallAfter, now);
			healthy &= status.equals("reading") || status.equals("paused");
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("stream", consumer.stream());
			details.put("consumer", consumer.consumer());
			details.put("status", status);
			details.put("lastSuccessfulRead", consumer.lastSuccessfulRead());
			if (consumer.lastFailure() != null) {
				details.put("lastFailure", consumer.lastFailure());
			}
			consumers.add(details);
		}
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("state", state);
		details.put("group", endpoint.getDestination().getGroup());
		details.put("consumers", consumers);
		return new BindingHealth(healthy, details);
	}

	private static String consumerStatus(ConsumerState consumer, String bindingState, Duration stallAfter,
			Instant now) {
		if (!bindingState.equals("running")) {
			return bindingState;
		}
		if (!consumer.alive()) {
			return "dead";
		}
		// A consumer that never completed a read (NOPERM, an unreachable server) has been
		// stalled since it was created.
		Instant readingSince = (consumer.lastSuccessfulRead() != null) ? consumer.lastSuccessfulRead()
				: consumer.createdAt();
		if (Duration.between(readingSince, now).compareTo(stallAfter) > 0) {
			return "stalled";
		}
		return "reading";
	}

	private record BindingHealth(boolean healthy, Map<String, Object> details) {
	}

}
