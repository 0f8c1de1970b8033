package dev.rill.binder.redis.inbound;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.rill.binder.redis.RedisStreamsHeaders;
import dev.rill.binder.redis.TestApplications;
import dev.rill.binder.redis.codec.MalformedStreamEntryException;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.stream.binder.PollableMessageSource;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.integration.StaticMessageHeaderAccessor;
import org.springframework.integration.acks.AcknowledgmentCallback;
import org.springframework.integration.acks.AcknowledgmentCallback.Status;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHandler;

import static dev.rill.binder.redis.inbound.ConsumerFixture.GROUP;
import static dev.rill.binder.redis.inbound.ConsumerFixture.STREAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Polled consumers ({@code spring.cloud.stream.pollable-source=sink}, the
 * {@link PollableMessageSource} bean {@code sink-in-0}) on a real Redis: what one poll
 * hands out, when the entry is acknowledged, retries and dead letters, requeueing, own
 * pending entries after a restart, and entries that never reach the handler. Entries are
 * written with raw {@code XADD}s. Oracle: each entry is handled, dead-lettered or left
 * pending, and {@code XPENDING} says which.
 */
@ExtendWith(OutputCaptureExtension.class)
class PollableConsumerTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	private static final String BINDING = "spring.cloud.stream.bindings.sink-in-0.";

	private static final String REDIS_BINDING = "spring.cloud.stream.redis.bindings.sink-in-0.consumer.";

	private static final String DLQ = STREAM + "." + GROUP + ".dlq";

	private static final String WITH_DLQ = REDIS_BINDING + "enable-dlq=true";

	@RegisterExtension
	final ConsumerFixture fixture = new ConsumerFixture(redis);

	private final List<ConfigurableApplicationContext> applications = new ArrayList<>();

	/** What the handlers of a test were given, in order. */
	private final List<Message<?>> handled = new CopyOnWriteArrayList<>();

	@AfterEach
	void close() {
		this.applications.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void pollReturnsFalseWhenTheStreamHasNothingNew() {
		PollableMessageSource source = start(GROUP);

		assertThat(source.poll(record())).isFalse();
		assertThat(this.handled).isEmpty();
	}

	@Test
	void pollHandsOutOneEntryWithTheBinderHeadersAndAcknowledgesItWhenTheHandlerReturns() {
		PollableMessageSource source = start(GROUP);
		String first = this.fixture.xadd("first");
		String second = this.fixture.xadd("second");

		assertThat(source.poll(message -> {
			record().handleMessage(message);
			assertThat(this.fixture.pending()).as("pending while the handler runs").isEqualTo(1);
		})).isTrue();

		assertThat(this.handled).hasSize(1);
		Message<?> message = this.handled.get(0);
		assertThat(message.getPayload()).isEqualTo("first".getBytes(StandardCharsets.UTF_8));
		assertThat(message.getHeaders().get("contentType")).hasToString("text/plain");
		assertThat(message.getHeaders()).containsEntry(RedisStreamsHeaders.STREAM, STREAM)
			.containsEntry(RedisStreamsHeaders.ENTRY_ID, first)
			.containsEntry(RedisStreamsHeaders.GROUP, GROUP)
			.containsEntry(RedisStreamsHeaders.DELIVERY_COUNT, 1L)
			.containsKey(RedisStreamsHeaders.CONSUMER);
		assertThat(this.fixture.command("XINFO", "CONSUMERS", STREAM, GROUP))
			.contains((String) message.getHeaders().get(RedisStreamsHeaders.CONSUMER));
		assertThat(this.fixture.pending()).as("pending after the handler returned").isZero();

		assertThat(source.poll(record())).isTrue();
		assertThat(this.handled.get(1).getHeaders()).containsEntry(RedisStreamsHeaders.ENTRY_ID, second);
		assertThat(source.poll(record())).isFalse();
		assertThat(this.fixture.pending()).isZero();
	}

	@Test
	void failingHandlerIsTriedMaxAttemptsTimesThenDeadLetteredWithItsReasonAndAcknowledged() {
		PollableMessageSource source = start(GROUP, WITH_DLQ, BINDING + "consumer.max-attempts=3",
				BINDING + "consumer.back-off-initial-interval=10");
		String id = this.fixture.xadd("poison");

		source.poll(failing());

		assertThat(this.handled).hasSize(3);
		assertThat(dlqLength()).isEqualTo(1);
		assertThat(firstDeadLetter()).containsEntry("payload", "poison")
			.containsEntry("contentType", "text/plain")
			.containsEntry("x-exception-fqcn", IllegalStateException.class.getName())
			.containsEntry("x-exception-message", "cannot handle poison")
			.containsEntry("x-original-stream", STREAM)
			.containsEntry("x-original-entry-id", id)
			.containsEntry("x-original-group", GROUP)
			.containsEntry("x-delivery-count", "1")
			.containsKeys("x-failed-at", "x-exception-stacktrace");
		assertThat(this.fixture.pending()).isZero();
	}

	@Test
	void failureNothingHandlesMakesPollThrowAndTheEntryIsAcknowledged() {
		PollableMessageSource source = start(GROUP, BINDING + "consumer.max-attempts=2",
				BINDING + "consumer.back-off-initial-interval=10");
		this.fixture.xadd("poison");

		assertThatThrownBy(() -> source.poll(failing())).hasRootCauseMessage("cannot handle poison");

		assertThat(this.handled).hasSize(2);
		assertThat(this.fixture.pending()).isZero();
		assertThat(source.poll(record())).isFalse();
	}

	@Test
	void deadLetterOfAConvertedPayloadHoldsTheEntryAsItWasRead() {
		PollableMessageSource source = start(GROUP, WITH_DLQ, BINDING + "consumer.max-attempts=1");
		this.fixture.command("XADD", STREAM, "*", "payload", "{\"sku\":\"A-1\"}", "contentType", "application/json");

		source.poll(failing(), new ParameterizedTypeReference<Map<String, Object>>() {
		});

		assertThat(this.handled).singleElement()
			.extracting(Message::getPayload)
			.isEqualTo(Map.of("sku", "A-1"));
		assertThat(firstDeadLetter()).containsEntry("payload", "{\"sku\":\"A-1\"}")
			.containsEntry("contentType", "application/json")
			.containsEntry("x-exception-message", "cannot handle poison");
		assertThat(this.fixture.pending()).isZero();
	}

	@Test
	void entryStaysPendingWhenItsDeadLetterCannotBeWritten(CapturedOutput output) {
		this.fixture.command("SET", DLQ, "not a stream");
		PollableMessageSource source = start(GROUP, WITH_DLQ, BINDING + "consumer.max-attempts=1");
		String id = this.fixture.xadd("poison");

		source.poll(failing());

		assertThat(this.fixture.pending()).isEqualTo(1);
		assertThat(output.getOut()).contains("Could not dead-letter entry " + id);
		// Requeued: the next poll delivers it again.
		assertThat(source.poll(record())).isTrue();
		assertThat(this.handled.get(1).getHeaders()).containsEntry(RedisStreamsHeaders.ENTRY_ID, id)
			.containsEntry(RedisStreamsHeaders.DELIVERY_COUNT, 2L);
		assertThat(this.fixture.pending()).isZero();
	}

	@Test
	void requeuedEntryStaysPendingAndTheNextPollDeliversItAgain() {
		PollableMessageSource source = start(GROUP);
		String id = this.fixture.xadd("again");
		this.fixture.xadd("behind it");

		assertThat(source.poll(message -> {
			record().handleMessage(message);
			AcknowledgmentCallback callback = StaticMessageHeaderAccessor.getAcknowledgmentCallback(message);
			callback.noAutoAck();
			callback.acknowledge(Status.REQUEUE);
		})).isTrue();
		assertThat(this.fixture.pending()).isEqualTo(1);

		assertThat(source.poll(record())).isTrue();
		assertThat(this.handled).extracting(PollableConsumerTests::text).containsExactly("again", "again");
		assertThat(this.handled.get(1).getHeaders()).containsEntry(RedisStreamsHeaders.ENTRY_ID, id)
			.containsEntry(RedisStreamsHeaders.DELIVERY_COUNT, 2L);
		assertThat(this.fixture.pending()).isZero();
		assertThat(source.poll(record())).isTrue();
		assertThat(text(this.handled.get(2))).isEqualTo("behind it");
	}

	@Test
	void entryAcknowledgedLaterByTheApplicationIsNotDeliveredAgainMeanwhile() {
		PollableMessageSource source = start(GROUP);
		this.fixture.xadd("kept for later");
		this.fixture.xadd("requeued");
		List<AcknowledgmentCallback> callbacks = new ArrayList<>();
		MessageHandler holdOn = message -> {
			record().handleMessage(message);
			AcknowledgmentCallback callback = StaticMessageHeaderAccessor.getAcknowledgmentCallback(message);
			callback.noAutoAck();
			callbacks.add(callback);
		};
		source.poll(holdOn);
		source.poll(holdOn);
		callbacks.get(1).acknowledge(Status.REQUEUE);

		// The own pending list is read again; the entry still held is skipped.
		assertThat(source.poll(record())).isTrue();
		assertThat(source.poll(record())).isFalse();
		assertThat(this.handled).extracting(PollableConsumerTests::text)
			.containsExactly("kept for later", "requeued", "requeued");
		assertThat(this.fixture.pending()).isEqualTo(1);
		callbacks.get(0).acknowledge(Status.ACCEPT);
		assertThat(this.fixture.pending()).isZero();
	}

	@Test
	void ownPendingEntriesArePolledFirstAfterARestart() {
		String stableName = REDIS_BINDING + "consumer-name=poller-0";
		PollableMessageSource source = start(GROUP, stableName);
		String unfinished = this.fixture.xadd("unfinished");
		this.fixture.xadd("not read yet");
		source.poll(message -> StaticMessageHeaderAccessor.getAcknowledgmentCallback(message).noAutoAck());
		assertThat(this.fixture.pending()).isEqualTo(1);
		this.applications.remove(0).close();
		this.fixture.xadd("after the restart");

		PollableMessageSource restarted = start(GROUP, stableName);

		while (restarted.poll(record())) {
			// drain
		}
		assertThat(this.handled).extracting(PollableConsumerTests::text)
			.containsExactly("unfinished", "not read yet", "after the restart");
		assertThat(this.handled.get(0).getHeaders()).containsEntry(RedisStreamsHeaders.ENTRY_ID, unfinished)
			.containsEntry(RedisStreamsHeaders.DELIVERY_COUNT, 2L)
			.containsEntry(RedisStreamsHeaders.CONSUMER, "poller-0");
		assertThat(this.fixture.pending()).isZero();
	}

	@Test
	void malformedEntryIsDeadLetteredWithoutReachingTheHandlerAndThePollGoesOn() {
		PollableMessageSource source = start(GROUP, WITH_DLQ);
		this.fixture.command("XADD", STREAM, "*", "nopayload", "x");
		this.fixture.xadd("fine");

		assertThat(source.poll(record())).isTrue();

		assertThat(this.handled).extracting(PollableConsumerTests::text).containsExactly("fine");
		assertThat(firstDeadLetter()).containsEntry("nopayload", "x")
			.containsEntry("x-exception-fqcn", MalformedStreamEntryException.class.getName());
		assertThat(this.fixture.pending()).isZero();
	}

	@Test
	void entryDeliveredMoreThanMaxDeliveriesIsDeadLetteredWithoutRunningTheHandler() {
		this.fixture.command("XGROUP", "CREATE", STREAM, GROUP, "0", "MKSTREAM");
		this.fixture.xadd("crashes-the-process");
		for (int i = 0; i < 3; i++) {
			this.fixture.command("XREADGROUP", "GROUP", GROUP, "fixed", "STREAMS", STREAM, (i == 0) ? ">" : "0");
		}
		PollableMessageSource source = start(GROUP, WITH_DLQ, REDIS_BINDING + "consumer-name=fixed",
				REDIS_BINDING + "max-deliveries=3");

		assertThat(source.poll(record())).isFalse();

		assertThat(this.handled).isEmpty();
		assertThat(firstDeadLetter()).containsEntry("x-delivery-count", "4")
			.containsEntry("x-exception-fqcn", DeliveryLimitExceededException.class.getName());
		assertThat(this.fixture.pending()).isZero();
	}

	@Test
	void entryWhosePayloadCannotBeConvertedIsDeliveredAgainUntilMaxDeliveriesDeadLettersIt() {
		PollableMessageSource source = start(GROUP, WITH_DLQ, REDIS_BINDING + "max-deliveries=2");
		this.fixture.command("XADD", STREAM, "*", "payload", "not json", "contentType", "application/json");
		ParameterizedTypeReference<Map<String, Object>> map = new ParameterizedTypeReference<>() {
		};

		assertThatThrownBy(() -> source.poll(record(), map)).as("first delivery").isNotNull();
		assertThatThrownBy(() -> source.poll(record(), map)).as("second delivery").isNotNull();
		assertThat(source.poll(record(), map)).as("third delivery, over max-deliveries").isFalse();

		assertThat(this.handled).isEmpty();
		assertThat(firstDeadLetter()).containsEntry("payload", "not json")
			.containsEntry("x-exception-fqcn", DeliveryLimitExceededException.class.getName());
		assertThat(this.fixture.pending()).isZero();
	}

	@Test
	void trimmedPendingEntryIsAcknowledgedWithAWarning(CapturedOutput output) {
		this.fixture.command("XGROUP", "CREATE", STREAM, GROUP, "0", "MKSTREAM");
		String trimmed = this.fixture.xadd("trimmed away");
		this.fixture.command("XREADGROUP", "GROUP", GROUP, "fixed", "STREAMS", STREAM, ">");
		this.fixture.command("XDEL", STREAM, trimmed);
		this.fixture.xadd("kept");
		PollableMessageSource source = start(GROUP, REDIS_BINDING + "consumer-name=fixed");

		assertThat(source.poll(record())).isTrue();

		assertThat(this.handled).extracting(PollableConsumerTests::text).containsExactly("kept");
		assertThat(this.fixture.pending()).isZero();
		assertThat(output.getOut()).contains("were deleted from the stream (trimmed)");
	}

	@Test
	void entriesOfADeadConsumerAreClaimedAndPolled() {
		this.fixture.command("XGROUP", "CREATE", STREAM, GROUP, "0", "MKSTREAM");
		this.fixture.xadd("left behind");
		this.fixture.command("XREADGROUP", "GROUP", GROUP, "dead", "STREAMS", STREAM, ">");
		PollableMessageSource source = start(GROUP, REDIS_BINDING + "claim-idle-time=500ms",
				REDIS_BINDING + "claim-interval=100ms");

		await().atMost(Duration.ofSeconds(10)).until(() -> source.poll(record()));

		assertThat(this.handled).singleElement()
			.satisfies(message -> assertThat(text(message)).isEqualTo("left behind"))
			.satisfies(message -> assertThat(message.getHeaders())
				.containsEntry(RedisStreamsHeaders.DELIVERY_COUNT, 2L));
		assertThat(this.fixture.pending()).isZero();
	}

	@Test
	void entryHandedOutAndNotYetAcknowledgedIsNotClaimedByAnotherInstance() {
		String fastClaims = REDIS_BINDING + "claim-idle-time=500ms";
		PollableMessageSource holder = start(GROUP, fastClaims, REDIS_BINDING + "claim-interval=1m");
		this.fixture.xadd("held");
		List<AcknowledgmentCallback> callbacks = new ArrayList<>();
		holder.poll(message -> {
			StaticMessageHeaderAccessor.getAcknowledgmentCallback(message).noAutoAck();
			callbacks.add(StaticMessageHeaderAccessor.getAcknowledgmentCallback(message));
		});
		PollableMessageSource other = start(GROUP, fastClaims, REDIS_BINDING + "claim-interval=100ms");

		// Six times the claim idle time: the other instance would have claimed the entry
		// many times over if the holder did not keep its idle time short.
		await().during(Duration.ofSeconds(3))
			.atMost(Duration.ofSeconds(5))
			.until(() -> !other.poll(record()) && this.fixture.pending() == 1);

		callbacks.get(0).acknowledge(Status.ACCEPT);
		assertThat(this.fixture.pending()).isZero();
		assertThat(this.handled).isEmpty();
	}

	@Test
	void pollRecreatesTheGroupWhenRedisRestartsEmptyAndKeepsDelivering(CapturedOutput output) {
		PollableMessageSource source = start(GROUP);
		this.fixture.xadd("before the restart");
		assertThat(source.poll(record())).isTrue();

		redis.restartEmpty();
		this.fixture.xadd("after the restart");

		await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> source.poll(record()));
		assertThat(this.handled).extracting(PollableConsumerTests::text)
			.containsExactly("before the restart", "after the restart");
		assertThat(output.getOut()).contains("had disappeared");
		assertThat(this.fixture.pending()).isZero();
	}

	@Test
	void anonymousGroupIsRemovedWhenTheApplicationCloses() {
		this.fixture.xadd("before the binding");
		PollableMessageSource source = start(null);
		assertThat(source.poll(record())).as("an anonymous group starts at the end").isFalse();
		this.fixture.xadd("new");
		assertThat(source.poll(record())).isTrue();
		assertThat(this.fixture.command("XINFO", "GROUPS", STREAM)).contains("anonymous.");

		this.applications.remove(0).close();

		assertThat(this.fixture.command("XINFO", "GROUPS", STREAM)).doesNotContain("anonymous.");
	}

	@Test
	void handlerCalledOnceForEachEntryOverManyPolls() {
		PollableMessageSource source = start(GROUP);
		for (int i = 0; i < 50; i++) {
			this.fixture.xadd("m" + i);
		}
		AtomicInteger polls = new AtomicInteger();
		while (source.poll(record())) {
			polls.incrementAndGet();
		}
		assertThat(polls).hasValue(50);
		assertThat(this.handled).extracting(PollableConsumerTests::text).doesNotHaveDuplicates().hasSize(50);
		assertThat(this.fixture.pending()).isZero();
	}

	/** A handler that records what it was given. */
	private MessageHandler record() {
		return this.handled::add;
	}

	/** A handler that records what it was given and fails. */
	private MessageHandler failing() {
		return message -> {
			this.handled.add(message);
			throw new IllegalStateException("cannot handle poison");
		};
	}

	private static String text(Message<?> message) {
		return (message.getPayload() instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8)
				: String.valueOf(message.getPayload());
	}

	/**
	 * Start an application with the polled binding {@code sink-in-0} on {@value ConsumerFixture#STREAM}.
	 * @param group the binding's group, {@code null} for an anonymous one
	 * @return its {@link PollableMessageSource}
	 */
	private PollableMessageSource start(String group, String... extra) {
		List<String> properties = new ArrayList<>(
				List.of("spring.cloud.stream.pollable-source=sink", BINDING + "destination=" + STREAM));
		if (group != null) {
			properties.add(BINDING + "group=" + group);
		}
		properties.addAll(List.of(extra));
		ConfigurableApplicationContext application = TestApplications.start(PollingApplication.class,
				redis.springProperties(), properties.toArray(String[]::new));
		this.applications.add(application);
		return application.getBean("sink-in-0", PollableMessageSource.class);
	}

	private long dlqLength() {
		String type = this.fixture.command("TYPE", DLQ);
		return "stream".equals(type) ? Long.parseLong(this.fixture.command("XLEN", DLQ)) : 0;
	}

	/** The fields of the first dead letter (values may span lines: read them with a real client). */
	private Map<String, String> firstDeadLetter() {
		return TestApplications.firstEntryFields(this.applications.get(0), DLQ);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class PollingApplication {

	}

}
