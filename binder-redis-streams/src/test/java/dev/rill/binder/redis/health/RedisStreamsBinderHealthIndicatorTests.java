package dev.rill.binder.redis.health;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

import dev.rill.binder.redis.BindingListeners;
import dev.rill.binder.redis.StartedApplications;
import dev.rill.binder.redis.inbound.ConsumerBindingListener;
import dev.rill.binder.redis.outbound.RedisStreamsMessageHandler.SendListener;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.cloud.stream.binding.BindingsLifecycleController.State;
import org.springframework.cloud.stream.config.BindersHealthIndicatorAutoConfiguration.BindersHealthContributor;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.messaging.Message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

/**
 * The binder's health under {@code binders.redis}: UP while Redis answers and every
 * consumer reads; DOWN, with the reason in the details, when Redis does not answer within
 * {@code health-timeout}, when a consumer's thread died, or when a consumer has not read
 * for longer than its {@code claim-idle-time}. A paused binding is healthy.
 */
class RedisStreamsBinderHealthIndicatorTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	private static volatile Consumer<Message<String>> behaviour = message -> {
	};

	@RegisterExtension
	final StartedApplications applications = new StartedApplications(redis);

	private ConfigurableApplicationContext application;

	@BeforeEach
	void reset() {
		behaviour = message -> {
		};
	}

	@Test
	void upWithTheDetailsOfEveryBindingAndConsumerWhileRedisAnswersAndConsumersRead() {
		start();

		Health health = binderHealth();

		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("redis", "up");
		Map<String, Object> binding = binding(health);
		assertThat(binding).containsEntry("state", "running").containsEntry("group", "workers");
		assertThat(consumers(binding)).singleElement().satisfies(consumer -> {
			assertThat(consumer).containsEntry("stream", "work").containsEntry("status", "reading");
			assertThat(consumer.get("consumer")).asString().isNotBlank();
		});
	}

	@Test
	void downNamingRedisUnreachableWhenRedisIsStoppedWithoutWaitingLongerThanTheHealthTimeout() {
		start("spring.data.redis.timeout=60s", "spring.cloud.stream.redis.binder.health-timeout=500ms");
		redis.stop();

		// Lettuce would wait 60 s for an answer; the indicator gives up after its own timeout.
		Health health = assertTimeoutPreemptively(Duration.ofSeconds(10), this::binderHealth);

		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails().get("redis")).asString().startsWith("unreachable");
	}

	@Test
	void backUpByItselfOnceRedisReturns() {
		start();
		redis.stop();
		await().until(() -> binderHealth().getStatus().equals(Status.DOWN));

		redis.restart();

		await().atMost(Duration.ofSeconds(30)).until(() -> binderHealth().getStatus().equals(Status.UP));
	}

	@Test
	void downWhenAConsumerThreadDied() {
		// Handler failures, even Errors, are caught by the consumer. What can end its
		// thread is an Error in the binder's own machinery, such as running out of memory;
		// here a listener the consumer calls throws one when it meets a trimmed entry that
		// it left pending under its fixed name before a restart.
		redis.server().command("XGROUP", "CREATE", "work", "workers", "0", "MKSTREAM");
		String id = redis.server().command("XADD", "work", "*", "payload", "gone");
		redis.server().command("XREADGROUP", "GROUP", "workers", "fixed", "STREAMS", "work", ">");
		redis.server().command("XDEL", "work", id);
		this.application = this.applications.start(DyingConsumerApplication.class,
				"spring.cloud.function.definition=sink", "spring.cloud.stream.bindings.sink-in-0.destination=work",
				"spring.cloud.stream.bindings.sink-in-0.group=workers",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.consumer-name=fixed");

		// The Error ends the consumer's thread uncaught, which is the point: Awaitility must
		// not fail the wait for it when it happens during the wait.
		await().dontCatchUncaughtExceptions().untilAsserted(() -> {
			Health health = binderHealth();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(consumers(binding(health))).singleElement()
				.satisfies(state -> assertThat(state).containsEntry("status", "dead"));
		});
	}

	@Test
	void downWhenAConsumerHasNotReadForLongerThanItsClaimIdleTime() {
		CountDownLatch release = new CountDownLatch(1);
		behaviour = message -> await().until(() -> release.getCount() == 0);
		start("spring.cloud.stream.redis.bindings.sink-in-0.consumer.claim-idle-time=300ms");
		redis.server().command("XADD", "work", "*", "payload", "slow", "contentType", "text/plain");

		try {
			await().untilAsserted(() -> {
				Health health = binderHealth();
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				assertThat(consumers(binding(health))).singleElement()
					.satisfies(consumer -> assertThat(consumer).containsEntry("status", "stalled"));
			});
		}
		finally {
			release.countDown();
		}
		await().until(() -> binderHealth().getStatus().equals(Status.UP));
	}

	@Test
	void aPausedBindingIsHealthyAndReportedPaused() {
		start("spring.cloud.stream.redis.bindings.sink-in-0.consumer.claim-idle-time=300ms");
		this.application.getBean(BindingsLifecycleController.class).changeState("sink-in-0", State.PAUSED);

		// Longer than claim-idle-time: a paused consumer that does not read is not stalled.
		await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
			Health health = binderHealth();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(binding(health)).containsEntry("state", "paused");
		});
	}

	private void start(String... extra) {
		this.application = this.applications.start(SinkApplication.class,
				List.of("spring.cloud.function.definition=sink",
				"spring.cloud.stream.bindings.sink-in-0.destination=work",
				"spring.cloud.stream.bindings.sink-in-0.group=workers",
				"spring.cloud.stream.bindings.sink-in-0.consumer.max-attempts=1"), extra);
	}

	private Health binderHealth() {
		BindersHealthContributor binders = this.application.getBean(BindersHealthContributor.class);
		return ((HealthIndicator) binders.getContributor("redis")).health();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> binding(Health health) {
		return (Map<String, Object>) ((Map<String, Object>) health.getDetails().get("bindings")).get("work.workers");
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> consumers(Map<String, Object> binding) {
		return (List<Map<String, Object>>) binding.get("consumers");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class DyingConsumerApplication extends SinkApplication {

		@Bean
		BindingListeners dyingListeners() {
			return new BindingListeners() {

				@Override
				public ConsumerBindingListener consumer(String destination, String group) {
					return new ConsumerBindingListener() {

						@Override
						public void trimmed(int count) {
							throw new SimulatedFatalError();
						}

					};
				}

				@Override
				public SendListener producer(String destination) {
					return SendListener.NONE;
				}

			};
		}

	}

	/** Stands for an Error nobody can handle, such as running out of memory. */
	static class SimulatedFatalError extends Error {

		private static final long serialVersionUID = 1L;

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class SinkApplication {

		@Bean
		Consumer<Message<String>> sink() {
			return message -> behaviour.accept(message);
		}

	}

}
