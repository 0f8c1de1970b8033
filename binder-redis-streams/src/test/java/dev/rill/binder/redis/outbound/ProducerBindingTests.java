package dev.rill.binder.redis.outbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.rill.binder.redis.StartedApplications;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.MessageDeliveryException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How a producer binding writes entries, seen with raw Redis commands.
 */
class ProducerBindingTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	@RegisterExtension
	final StartedApplications applications = new StartedApplications(redis);

	private ConfigurableApplicationContext application;

	@Test
	void jsonPayloadAndHeadersAreReadableFieldsOfTheEntry() {
		StreamBridge bridge = start("spring.cloud.stream.redis.bindings.out-0.producer.sync=true");

		bridge.send("out-0", MessageBuilder.withPayload("{\"orderId\":\"42\"}")
			.setHeader("contentType", "application/json")
			.setHeader("correlationId", "c-1")
			.setHeader("attempt", 3)
			.build());

		assertThat(redis.server().command("XRANGE", "orders", "-", "+")).contains("payload\n{\"orderId\":\"42\"}")
			.contains("contentType\napplication/json")
			.contains("correlationId\nc-1")
			.contains("attempt\n3")
			.contains("rill_headerTypes\nattempt:int");
	}

	@Test
	void partitionedDestinationRoutesEachKeyToOneStreamInOrder() {
		StreamBridge bridge = start("spring.cloud.stream.redis.bindings.out-0.producer.sync=true",
				"spring.cloud.stream.bindings.out-0.producer.partition-key-expression=headers['key']",
				"spring.cloud.stream.bindings.out-0.producer.partition-count=3");

		for (int i = 0; i < 30; i++) {
			bridge.send("out-0", MessageBuilder.withPayload("k" + (i % 5) + "-" + i).setHeader("key", "k" + (i % 5)).build());
		}

		List<String> streams = new ArrayList<>();
		for (int partition = 0; partition < 3; partition++) {
			streams.add(redis.server().command("XRANGE", "orders:" + partition, "-", "+"));
		}
		assertThat(String.join("", streams).split("\n")).filteredOn(field -> field.matches("k\\d-\\d+")).hasSize(30);
		for (int key = 0; key < 5; key++) {
			String prefix = "k" + key + "-";
			List<String> holding = streams.stream().filter(stream -> stream.contains(prefix)).toList();
			assertThat(holding).as("streams holding key k%d", key).hasSize(1);
			List<Integer> order = Arrays.stream(holding.get(0).split("\n"))
				.filter(field -> field.startsWith(prefix))
				.map(field -> Integer.parseInt(field.substring(prefix.length())))
				.toList();
			assertThat(order).isSorted();
		}
	}

	@Test
	void maxLengthTrimsTheStreamApproximately() {
		StreamBridge bridge = start("spring.cloud.stream.redis.bindings.out-0.producer.sync=true",
				"spring.cloud.stream.redis.bindings.out-0.producer.max-length=10");

		for (int i = 0; i < 1000; i++) {
			bridge.send("out-0", "m" + i);
		}

		assertThat(Long.parseLong(redis.server().command("XLEN", "orders"))).isLessThan(200);
	}

	@Test
	void retentionTrimsEntriesOlderThanTheRetentionWhenLaterMessagesAreSent() {
		StreamBridge bridge = start("spring.cloud.stream.redis.bindings.out-0.producer.sync=true",
				"spring.cloud.stream.redis.bindings.out-0.producer.retention=2s");
		// MINID ~ (approximate) removes only whole nodes of the stream's radix tree whose
		// entries are all older than the threshold, so the old entries fill exactly one node
		// (stream-node-max-entries of them, short enough to stay below stream-node-max-bytes):
		// the binding's entries then start a node of their own.
		writeEntriesAnHourOld(nodeMaxEntries());
		assertThat(payloads()).hasSize(nodeMaxEntries()).allMatch(payload -> payload.startsWith("an hour ago"));

		for (int i = 0; i < 3; i++) {
			bridge.send("out-0", "new-" + i);
		}

		assertThat(payloads()).containsExactly("new-0", "new-1", "new-2");
	}

	@Test
	void retentionTrimsApproximatelySoAnOldEntrySharingANodeWithYoungerOnesStays() {
		StreamBridge bridge = start("spring.cloud.stream.redis.bindings.out-0.producer.sync=true",
				"spring.cloud.stream.redis.bindings.out-0.producer.retention=2s");
		writeEntriesAnHourOld(1);

		for (int i = 0; i < 3; i++) {
			bridge.send("out-0", "new-" + i);
		}

		// Exact trimming (MINID without ~) would have removed it.
		assertThat(payloads()).containsExactly("an hour ago 0", "new-0", "new-1", "new-2");
	}

	@Test
	void syncSendFailsNamingTheStreamWhenRedisIsDown() {
		StreamBridge bridge = start("spring.cloud.stream.redis.bindings.out-0.producer.sync=true",
				"spring.cloud.stream.redis.bindings.out-0.producer.send-timeout=1s");
		bridge.send("out-0", "before");

		redis.kill();

		assertThatThrownBy(() -> bridge.send("out-0", "during"))
			.hasStackTraceContaining(MessageDeliveryException.class.getName())
			.hasStackTraceContaining("Failed to send to stream 'orders'");
	}

	/**
	 * Append entries to {@code orders} with raw XADDs and explicit ids from an hour ago,
	 * payloads {@code "an hour ago <n>"}.
	 */
	private static void writeEntriesAnHourOld(int count) {
		long anHourAgo = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
		for (int i = 0; i < count; i++) {
			redis.server().command("XADD", "orders", anHourAgo + "-" + (i + 1), "payload", "an hour ago " + i);
		}
	}

	/** How many entries one node of a stream holds at most ({@code stream-node-max-entries}). */
	private static int nodeMaxEntries() {
		return Integer.parseInt(redis.server().command("CONFIG", "GET", "stream-node-max-entries").split("\n")[1]);
	}

	/** The payloads of {@code orders}, oldest first. */
	private static List<String> payloads() {
		return StreamPayloads.of(redis.server(), "orders");
	}

	private StreamBridge start(String... extra) {
		this.application = ProducerApplication.start(this.applications, extra);
		return this.application.getBean(StreamBridge.class);
	}

}
