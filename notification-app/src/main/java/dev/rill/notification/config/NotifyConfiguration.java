package dev.rill.notification.config;

import java.time.Clock;
import java.util.function.Consumer;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import jakarta.validation.Validator;

import dev.rill.notification.channel.GuardedChannel;
import dev.rill.notification.channel.NotificationChannel;
import dev.rill.notification.events.OrderStatusEvent;
import dev.rill.notification.infra.BreakerPausesBinding;
import dev.rill.notification.infra.CircuitBreakerGate;
import dev.rill.notification.notify.Notifier;
import dev.rill.notification.notify.NotifyConsumer;
import dev.rill.notification.store.NotificationStore;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * Wires the {@code notify} function: the consumer, the guarded channel, and the
 * infrastructure that pauses its binding while the channel's circuit breaker is open.
 */
@Configuration(proxyBeanMethods = false)
public class NotifyConfiguration {

	/** The consumer binding of the {@code notify} function. */
	public static final String NOTIFY_BINDING = "notify-in-0";

	@Bean("notify")
	Consumer<Message<OrderStatusEvent>> notifyConsumer(Notifier notifier, Validator validator) {
		return new NotifyConsumer(notifier, validator);
	}

	@Bean
	Notifier notifier(NotificationStore store, GuardedChannel channel, Clock clock) {
		return new Notifier(store, channel, clock);
	}

	@Bean
	GuardedChannel guardedChannel(NotificationChannel channel, CircuitBreakerRegistry breakers, RetryRegistry retries,
			CircuitBreakerGate gate, NotificationProperties properties) {
		return new GuardedChannel(channel, breakers.circuitBreaker(GuardedChannel.INSTANCE),
				retries.retry(GuardedChannel.INSTANCE), gate, properties.getRetryRoundPause());
	}

	@Bean
	CircuitBreakerGate circuitBreakerGate(CircuitBreakerRegistry breakers) {
		return new CircuitBreakerGate(breakers.circuitBreaker(GuardedChannel.INSTANCE));
	}

	@Bean
	BreakerPausesBinding breakerPausesBinding(CircuitBreakerRegistry breakers,
			ObjectProvider<BindingsLifecycleController> bindings) {
		CircuitBreaker breaker = breakers.circuitBreaker(GuardedChannel.INSTANCE);
		return new BreakerPausesBinding(breaker, NOTIFY_BINDING, bindings);
	}

}
