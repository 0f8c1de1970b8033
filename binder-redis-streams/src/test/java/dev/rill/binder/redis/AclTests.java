package dev.rill.binder.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;

import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.ReplayDescriptor;
import dev.rill.binder.redis.provisioning.RedisConnectionProblem;
import dev.rill.binder.redis.provisioning.RedisStartupConnectionException;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.stream.config.BindersHealthIndicatorAutoConfiguration.BindersHealthContributor;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.messaging.Message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The binder as a Redis ACL user with the least privileges it needs: {@link #RULE} (the
 * rule of the README's "TLS and ACL" section) for producers, consumer groups, dead
 * letters, the claimer's scripts, health, gauges and startup checks, and
 * {@link #ENDPOINT_RULE} on top for the {@code redisstreams} actuator endpoint.
 * <p>
 * Oracle: besides each flow doing its work, Redis' {@code ACL LOG} stays empty, so no
 * command of the binder was denied, not even one whose failure it would swallow (a
 * startup check, a gauge refresh). The rule was narrowed by removing each permission in
 * turn: without any one of them this test's flows leave a denial in the log.
 * <p>
 * The fixture's own commands run as the {@code default} user; only the application logs
 * in as {@value #USER}.
 */
@ExtendWith(OutputCaptureExtension.class)
class AclTests {

	static final String USER = "rill";

	/** The binder's least privileges, for key prefix {@code rill:}. */
	static final List<String> RULE = List.of("on", ">s3cret", "~rill:*", "resetchannels", "-@all", "+ping", "+info",
			"+type", "+exists", "+eval", "+xadd", "+xreadgroup", "+xack", "+xpending", "+xclaim", "+xautoclaim",
			"+xgroup|create", "+xgroup|destroy", "+xgroup|delconsumer", "+xinfo|groups", "+xinfo|consumers",
			"+xrange");

	/** What the {@code redisstreams} endpoint needs besides {@link #RULE}. */
	static final List<String> ENDPOINT_RULE = List.of("+scan", "+xinfo|stream", "+xrevrange", "+xdel",
			"+xgroup|setid");

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	static final List<Message<String>> received = new CopyOnWriteArrayList<>();

	static final List<Message<String>> watched = new CopyOnWriteArrayList<>();

	private final List<ConfigurableApplicationContext> applications = new ArrayList<>();

	@BeforeEach
	void reset() {
		redis.flushAll();
		redis.server().command("ACL", "DELUSER", USER);
		redis.server().command("ACL", "LOG", "RESET");
		received.clear();
		watched.clear();
	}

	@AfterEach
	void close() {
		this.applications.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void producersConsumerGroupsDeadLettersClaimsHealthGaugesAndTheEndpointWorkWithTheLeastPrivileges(
			CapturedOutput output) {
		setUser(RULE);
		// Entries a consumer that died left pending: the claimer takes them over, and
		// removes the dead consumer once it expired.
		redis.server().command("XGROUP", "CREATE", "rill:orders", "workers", "0", "MKSTREAM");
		redis.server().command("XADD", "rill:orders", "*", "payload", "orphan", "contentType", "text/plain");
		redis.server().command("XREADGROUP", "GROUP", "workers", "dead", "STREAMS", "rill:orders", ">");

		ConfigurableApplicationContext application = start("s3cret");
		StreamBridge bridge = application.getBean(StreamBridge.class);
		for (String payload : List.of("one", "poison", "slow", "two")) {
			assertThat(bridge.send("out", payload)).isTrue();
		}

		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			assertThat(received).extracting(Message::getPayload).contains("orphan", "one", "slow", "two");
			assertThat(redis.server().command("XLEN", "rill:orders.workers.dlq")).as("dead letters").isEqualTo("1");
			assertThat(consumerNames()).doesNotContain("dead");
			assertThat(watched).as("the anonymous group's messages").hasSize(4);
		});
		// Redis 7.0 does not know a group's lag after a deletion among its undelivered
		// entries: then the gauge counts them with a script (XRANGE), as on Redis 6.2.
		redis.server().command("XADD", "rill:audit", "*", "payload", "kept");
		String deleted = redis.server().command("XADD", "rill:audit", "*", "payload", "deleted");
		redis.server().command("XADD", "rill:audit", "*", "payload", "kept too");
		redis.server().command("XDEL", "rill:audit", deleted);
		String groups = redis.server().command("XINFO", "GROUPS", "rill:audit");
		assertThat(groups.endsWith("lag\nnull") || !groups.contains("lag")).as("lag unknown to Redis: %s", groups)
			.isTrue();
		MeterRegistry meters = application.getBean(MeterRegistry.class);
		await().until(() -> gauge(meters, "lag", "workers") == 0 && gauge(meters, "pending", "workers") == 0
				&& gauge(meters, "lag", "auditors") == 2);
		// With claim-idle-time 300 ms a consumer thread that a loaded machine leaves waiting
		// for longer than that between reads is briefly "stalled": wait for UP.
		await().until(() -> binderHealth(application).getStatus().equals(Status.UP));
		assertThat(output).as("the startup checks (INFO, TYPE) ran").doesNotContain("Could not check");
		assertThat(aclLog()).as("denied commands").isEmpty();

		setUser(ENDPOINT_RULE);
		RedisStreamsEndpoint endpoint = application.getBean(RedisStreamsEndpoint.class);
		assertThat(endpoint.streams().streams()).extracting(RedisStreamsEndpoint.StreamDescriptor::key)
			.containsExactly("rill:audit", "rill:orders", "rill:orders.workers.dlq");
		assertThat(endpoint.stream("rill:orders", null, 10).entries()).hasSize(5);
		ReplayDescriptor replay = endpoint.replay("rill:orders.workers.dlq", "replay", null);
		assertThat(replay.replayed()).isEqualTo(1);
		// The replayed poison fails again and is dead-lettered again: discard it.
		await().until(() -> redis.server().command("XLEN", "rill:orders.workers.dlq").equals("1"));
		String deadLetter = redis.server().command("XRANGE", "rill:orders.workers.dlq", "-", "+").split("\n")[0];
		assertThat(endpoint.discard("rill:orders.workers.dlq", deadLetter).deleted()).isEqualTo(1);
		String lastId = redis.server().command("XREVRANGE", "rill:orders", "+", "-", "COUNT", "1").split("\n")[0];
		assertThat(endpoint.moveGroup("rill:orders", "groups", "workers", "latest").lastDeliveredId())
			.isEqualTo(lastId);
		assertThat(aclLog()).as("denied commands").isEmpty();

		application.close();
		assertThat(redis.server().command("XINFO", "GROUPS", "rill:orders")).as("the anonymous group was removed")
			.doesNotContain("anonymous.");
		assertThat(aclLog()).as("denied commands").isEmpty();
	}

	/**
	 * Wrong credentials never heal by waiting, so the application does not start: the
	 * binder's startup check reports Redis' own reply, and Spring Boot prints the analysis.
	 */
	@Test
	void wrongCredentialsFailTheStartWithRedisOwnReplyAndWhatToCheck(CapturedOutput output) {
		setUser(RULE);

		Throwable failure = catchThrowable(() -> start("wrong"));

		RedisStartupConnectionException cause = TestApplications.causeOfFailedStart(failure, RedisStartupConnectionException.class);
		assertThat(cause.getProblem()).isEqualTo(RedisConnectionProblem.AUTHENTICATION);
		assertThat(cause.getReason()).isEqualTo("WRONGPASS invalid username-password pair or user is disabled.");
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Redis refused the credentials of the Redis Streams binder: WRONGPASS")
			.contains("Check spring.data.redis.username and spring.data.redis.password");
		assertThat(aclLog()).as("Redis' own record").contains("auth").contains(USER);
	}

	/** A user that Redis disabled is refused like a wrong password. */
	@Test
	void aDisabledUserFailsTheStartToo() {
		List<String> disabled = new ArrayList<>(RULE);
		disabled.set(disabled.indexOf("on"), "off");
		setUser(disabled);

		Throwable failure = catchThrowable(() -> start("s3cret"));

		assertThat(TestApplications.causeOfFailedStart(failure, RedisStartupConnectionException.class).getProblem())
			.isEqualTo(RedisConnectionProblem.AUTHENTICATION);
	}

	/**
	 * A permission missing from the rule (here {@code +xreadgroup}) is named by every
	 * consumer's WARN ({@code NOPERM ... 'xreadgroup' command}) and in {@code ACL LOG}; the
	 * consumers retry with back-off. A consumer that has never completed a read for longer
	 * than its {@code claim-idle-time} (300 ms here) is stalled, so the binder's health
	 * goes DOWN, with Redis' reply as the consumer's last failure.
	 */
	@Test
	void aMissingPermissionIsNamedByTheConsumersWarningsAndTurnsHealthDown(CapturedOutput output) {
		setUserWithout("+xreadgroup");

		ConfigurableApplicationContext application = start("s3cret");

		await().until(() -> output.toString().contains("failed to read: NOPERM this user has no permissions to "
				+ "run the 'xreadgroup' command; retrying in"));
		assertThat(aclLog()).contains("xreadgroup");
		await().until(() -> binderHealth(application).getStatus().equals(Status.DOWN));
		assertThat(binderHealth(application).getDetails().toString()).contains("status=stalled")
			.contains("lastSuccessfulRead=null")
			.contains("lastFailure=NOPERM this user has no permissions to run the 'xreadgroup' command");
	}

	/**
	 * A consumer does not wait for its {@code XACK}'s reply before it reads again; when the
	 * acknowledgement fails (here: {@code +xack} missing) the handled entry stays pending,
	 * the failure is raised before the next read, and the consumer delivers its own
	 * pending entries again after its back-off: at least once, never lost. Once the
	 * permission is granted, the entry is acknowledged.
	 */
	@Test
	void aFailedAcknowledgementLeavesTheEntryPendingAndItIsDeliveredAgain(CapturedOutput output) {
		setUserWithout("+xack");
		ConfigurableApplicationContext application = start("s3cret");

		application.getBean(StreamBridge.class).send("out", "one");

		await().atMost(Duration.ofSeconds(30))
			.until(() -> received.stream().filter(message -> message.getPayload().equals("one")).count() >= 2);
		assertThat(output).contains("NOPERM this user has no permissions to run the 'xack' command");
		assertThat(pendingOf("workers")).as("pending in group workers").isEqualTo(1);

		setUser(List.of("+xack"));
		await().atMost(Duration.ofSeconds(30)).until(() -> pendingOf("workers") == 0);
	}

	private static long pendingOf(String group) {
		return Long.parseLong(redis.server().command("XPENDING", "rill:orders", group).split("\n")[0]);
	}

	/** The user gets {@link #RULE} but one permission. */
	private static void setUserWithout(String permission) {
		List<String> rule = new ArrayList<>(RULE);
		rule.remove(permission);
		setUser(rule);
	}

	private static void setUser(List<String> rule) {
		List<String> command = new ArrayList<>(List.of("ACL", "SETUSER", USER));
		command.addAll(rule);
		assertThat(redis.server().command(command.toArray(String[]::new))).isEqualTo("OK");
	}

	private static String aclLog() {
		return redis.server().command("ACL", "LOG");
	}

	private ConfigurableApplicationContext start(String password) {
		Map<String, Object> properties = new LinkedHashMap<>(redis.springProperties());
		properties.put("spring.data.redis.username", USER);
		properties.put("spring.data.redis.password", password);
		ConfigurableApplicationContext application = TestApplications.start(AclApplication.class, properties,
				"spring.cloud.function.definition=sink;watch;idle",
				"spring.cloud.stream.redis.binder.key-prefix=rill:",
				"spring.cloud.stream.redis.binder.metrics-refresh-interval=200ms",
				"spring.cloud.stream.bindings.sink-in-0.destination=orders",
				"spring.cloud.stream.bindings.sink-in-0.group=workers",
				"spring.cloud.stream.bindings.sink-in-0.consumer.max-attempts=1",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.enable-dlq=true",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.claim-idle-time=300ms",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.claim-interval=200ms",
				"spring.cloud.stream.redis.bindings.sink-in-0.consumer.consumer-expiry=1s",
				// An anonymous group: created when it binds, destroyed when it stops.
				"spring.cloud.stream.bindings.watch-in-0.destination=orders",
				// A group nobody reads: its lag gauge.
				"spring.cloud.stream.bindings.idle-in-0.destination=audit",
				"spring.cloud.stream.bindings.idle-in-0.group=auditors",
				"spring.cloud.stream.bindings.idle-in-0.consumer.auto-startup=false",
				"spring.cloud.stream.output-bindings=out", "spring.cloud.stream.bindings.out.destination=orders",
				"spring.cloud.stream.redis.bindings.out.producer.sync=true",
				"management.endpoints.web.exposure.include=redisstreams");
		this.applications.add(application);
		return application;
	}

	private static List<String> consumerNames() {
		String[] fields = redis.server().command("XINFO", "CONSUMERS", "rill:orders", "workers").split("\n");
		List<String> names = new ArrayList<>();
		for (int i = 0; i + 1 < fields.length; i++) {
			if (fields[i].equals("name")) {
				names.add(fields[i + 1]);
			}
		}
		return names;
	}

	private static double gauge(MeterRegistry meters, String name, String group) {
		var gauge = Search.in(meters).name("redis.streams.consumer." + name).tag("group", group).gauge();
		return (gauge != null) ? gauge.value() : -1;
	}

	static Health binderHealth(ConfigurableApplicationContext application) {
		BindersHealthContributor binders = application.getBean(BindersHealthContributor.class);
		return ((HealthIndicator) binders.getContributor("redis")).health();
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class AclApplication {

		@Bean
		Consumer<Message<String>> sink() {
			return message -> {
				received.add(message);
				if (message.getPayload().equals("poison")) {
					throw new IllegalStateException("cannot handle poison");
				}
				if (message.getPayload().equals("slow")) {
					// Longer than claim-idle-time: the claimer refreshes the entry's idle
					// time (XPENDING and XCLAIM in a script) so that nobody claims it.
					sleep(Duration.ofMillis(500));
				}
			};
		}

		@Bean
		Consumer<Message<String>> watch() {
			return watched::add;
		}

		@Bean
		Consumer<Message<String>> idle() {
			return message -> {
			};
		}

	}

}
