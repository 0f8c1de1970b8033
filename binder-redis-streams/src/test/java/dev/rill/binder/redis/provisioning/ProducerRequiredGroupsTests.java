package dev.rill.binder.redis.provisioning;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.rill.binder.redis.TestApplications;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A producer binding's {@code required-groups} are consumer groups created when the
 * producer binds, before any consumer exists, so that nothing sent in the meantime is
 * missed by them. The producer binding {@code audited} is declared with
 * {@code spring.cloud.stream.output-bindings}, so it binds when the application starts
 * rather than on its first send.
 */
class ProducerRequiredGroupsTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	private static final String PRODUCER = "spring.cloud.stream.bindings.audited.";

	/** What the {@code audit} consumer application received, in order. */
	static final List<String> received = new CopyOnWriteArrayList<>();

	private final List<ConfigurableApplicationContext> applications = new ArrayList<>();

	@BeforeEach
	void clean() {
		redis.flushAll();
		received.clear();
	}

	@AfterEach
	void close() {
		this.applications.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void requiredGroupIsCreatedAtTheStartOfTheStreamWhenTheProducerBinds() {
		startProducer(PRODUCER + "producer.required-groups=audit");

		assertThat(groups("orders")).containsOnlyKeys("audit");
		assertThat(groups("orders").get("audit")).containsEntry("consumers", "0")
			.containsEntry("last-delivered-id", "0-0");
	}

	@Test
	void messagesSentBeforeTheRequiredGroupsConsumerBindsAreDeliveredToIt() {
		StreamBridge producer = startProducer(PRODUCER + "producer.required-groups=audit",
				"spring.cloud.stream.redis.bindings.audited.producer.sync=true");
		for (int i = 0; i < 3; i++) {
			producer.send("audited", "sent before the consumer " + i);
		}

		// A consumer that would create the group itself at the end of the stream: it reads
		// the earlier messages only because the producer created the group before them. The
		// marker, sent last, tells when everything there is to receive has arrived.
		startAuditConsumer("spring.cloud.stream.redis.bindings.audit-in-0.consumer.start-position=latest");
		producer.send("audited", "marker");

		await().until(() -> received.contains("marker"));
		assertThat(received).containsExactly("sent before the consumer 0", "sent before the consumer 1",
				"sent before the consumer 2", "marker");
	}

	@Test
	void partitionedProducerCreatesTheRequiredGroupOnEveryPartition() {
		startProducer(PRODUCER + "producer.required-groups=audit",
				PRODUCER + "producer.partition-key-expression=headers['partition']",
				PRODUCER + "producer.partition-count=3");

		for (int partition = 0; partition < 3; partition++) {
			assertThat(groups("orders:" + partition)).as("groups of orders:%d", partition).containsOnlyKeys("audit");
		}
		assertThat(redis.server().command("EXISTS", "orders")).isEqualTo("0");
	}

	@Test
	void existingRequiredGroupKeepsItsPositionWhenTheProducerBinds() {
		redis.server().command("XADD", "orders", "*", "payload", "already read");
		String lastRead = redis.server().command("XADD", "orders", "*", "payload", "also already read");
		redis.server().command("XGROUP", "CREATE", "orders", "audit", lastRead);

		startProducer(PRODUCER + "producer.required-groups=audit");

		assertThat(groups("orders").get("audit")).containsEntry("last-delivered-id", lastRead);
	}

	/** The groups of a stream ({@code XINFO GROUPS}), each as its fields, by name. */
	private static Map<String, Map<String, String>> groups(String stream) {
		String reply = redis.server().command("XINFO", "GROUPS", stream);
		assertThat(reply).as("XINFO GROUPS %s", stream).isNotNull().doesNotStartWith("-");
		Map<String, Map<String, String>> groups = new LinkedHashMap<>();
		Map<String, String> group = null;
		String[] fields = reply.split("\n");
		for (int i = 0; i + 1 < fields.length; i += 2) {
			if (fields[i].equals("name")) {
				group = new LinkedHashMap<>();
				groups.put(fields[i + 1], group);
			}
			if (group != null) {
				group.put(fields[i], fields[i + 1]);
			}
		}
		return groups;
	}

	private StreamBridge startProducer(String... extra) {
		List<String> properties = new ArrayList<>(
				List.of("spring.cloud.stream.output-bindings=audited", PRODUCER + "destination=orders"));
		properties.addAll(List.of(extra));
		return start(ProducerApplication.class, properties).getBean(StreamBridge.class);
	}

	private void startAuditConsumer(String... extra) {
		List<String> properties = new ArrayList<>(List.of("spring.cloud.function.definition=audit",
				"spring.cloud.stream.bindings.audit-in-0.destination=orders",
				"spring.cloud.stream.bindings.audit-in-0.group=audit"));
		properties.addAll(List.of(extra));
		start(AuditApplication.class, properties);
	}

	private ConfigurableApplicationContext start(Class<?> configuration, List<String> properties) {
		ConfigurableApplicationContext application = TestApplications.start(configuration, redis.springProperties(),
				properties.toArray(String[]::new));
		this.applications.add(application);
		return application;
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ProducerApplication {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class AuditApplication {

		@Bean
		Consumer<String> audit() {
			return received::add;
		}

	}

}
