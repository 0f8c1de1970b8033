package dev.rill.binder.redis.inbound;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.rill.binder.redis.RedisStreamsHeaders;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.messaging.Message;

import static dev.rill.binder.redis.inbound.ConsumerFixture.BINDING;
import static dev.rill.binder.redis.inbound.ConsumerFixture.GROUP;
import static dev.rill.binder.redis.inbound.ConsumerFixture.REDIS_BINDING;
import static dev.rill.binder.redis.inbound.ConsumerFixture.STREAM;
import static dev.rill.binder.redis.inbound.ConsumerFixture.block;
import static dev.rill.binder.redis.inbound.ConsumerFixture.payloads;
import static dev.rill.binder.redis.inbound.ConsumerFixture.received;
import static dev.rill.binder.redis.inbound.ConsumerFixture.timesReceived;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * When a consumer acknowledges (XACK) what it read: only after the handler returned or
 * its failure was dealt with, in batches of {@code ack-batch-size}; and what happens to
 * entries left pending: the consumer that held them gets them again when it comes back
 * under the same name.
 */
class ConsumerAcknowledgementTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	@RegisterExtension
	final ConsumerFixture fixture = new ConsumerFixture(redis);

	@Test
	void entryStaysPendingWhileItsHandlerRunsAndIsAcknowledgedWhenItReturns() {
		CountDownLatch release = releasedOnClose(new CountDownLatch(1));
		ConsumerFixture.behaviour = message -> block(release);
		this.fixture.start(GROUP);
		this.fixture.xadd("slow");

		await().until(() -> received.size() == 1);
		assertThat(this.fixture.pending()).as("pending while the handler runs").isEqualTo(1);

		release.countDown();
		await().until(() -> this.fixture.pending() == 0);
	}

	@Test
	void failingEntryIsTriedMaxAttemptsTimesWhilePendingThenLoggedAndAcknowledgedWithoutADeadLetterStream() {
		List<Boolean> pendingDuringAttempts = new CopyOnWriteArrayList<>();
		ConsumerFixture.behaviour = message -> {
			if (message.getPayload().equals("poison")) {
				String id = (String) message.getHeaders().get(RedisStreamsHeaders.ENTRY_ID);
				pendingDuringAttempts.add(this.fixture.command("XPENDING", STREAM, GROUP, "-", "+", "10").contains(id));
				throw new IllegalStateException("always fails");
			}
		};
		this.fixture.start(GROUP, BINDING + "max-attempts=3", BINDING + "back-off-initial-interval=300");
		this.fixture.xadd("poison");
		this.fixture.xadd("behind the poison");

		await().atMost(Duration.ofSeconds(10)).until(() -> payloads().contains("behind the poison"));
		await().until(() -> this.fixture.pending() == 0);

		assertThat(timesReceived("poison")).isEqualTo(3);
		assertThat(pendingDuringAttempts).as("entry pending during each attempt").containsExactly(true, true, true);
		assertThat(this.fixture.command("XLEN", STREAM + "." + GROUP + ".dlq")).isEqualTo("0");
	}

	@Test
	void consumerWithAStableNameFirstRedeliversItsOwnPendingEntries() {
		this.fixture.command("XGROUP", "CREATE", STREAM, GROUP, "0", "MKSTREAM");
		String id = this.fixture.xadd("read before a crash");
		this.fixture.command("XREADGROUP", "GROUP", GROUP, "fixed", "COUNT", "10", "STREAMS", STREAM, ">");
		assertThat(this.fixture.pending()).isEqualTo(1);

		this.fixture.start(GROUP, REDIS_BINDING + "consumer-name=fixed");

		await().until(() -> received.size() == 1);
		assertThat(received.get(0).getPayload()).isEqualTo("read before a crash");
		assertThat(received.get(0).getHeaders()).containsEntry(RedisStreamsHeaders.ENTRY_ID, id)
			.containsEntry(RedisStreamsHeaders.CONSUMER, "fixed")
			.containsEntry(RedisStreamsHeaders.DELIVERY_COUNT, 2L);
		await().until(() -> this.fixture.pending() == 0);
	}

	@Test
	void entryWhoseHandlerWasAbortedByShutdownIsRedeliveredToTheRestartedConsumerOfTheSameName() {
		CountDownLatch never = releasedOnClose(new CountDownLatch(1));
		ConsumerFixture.behaviour = message -> block(never);
		String[] properties = { REDIS_BINDING + "consumer-name=fixed",
				"spring.cloud.stream.redis.binder.shutdown-timeout=1s" };
		ConfigurableApplicationContext first = this.fixture.start(GROUP, properties);
		String id = this.fixture.xadd("interrupted by a shutdown");
		await().until(() -> received.size() == 1);
		this.fixture.xadd("queued behind it");
		ConsumerFixture.behaviour = message -> {
		};

		first.close();

		assertThat(this.fixture.command("XPENDING", STREAM, GROUP, "-", "+", "10")).as("pending after the shutdown")
			.contains(id, "fixed");
		this.fixture.start(GROUP, properties);
		await().until(() -> timesReceived("interrupted by a shutdown") == 2);
		Message<String> redelivered = received.stream()
			.filter(message -> message.getPayload().equals("interrupted by a shutdown"))
			.toList()
			.get(1);
		assertThat(redelivered.getHeaders()).containsEntry(RedisStreamsHeaders.ENTRY_ID, id)
			.containsEntry(RedisStreamsHeaders.CONSUMER, "fixed")
			.containsEntry(RedisStreamsHeaders.DELIVERY_COUNT, 2L);
		await().until(() -> payloads().contains("queued behind it") && this.fixture.pending() == 0);
	}

	@Test
	void entriesHeldBehindAnAbortedHandlerAreNotHandledAfterTheShutdownButLeftPending() {
		CountDownLatch never = releasedOnClose(new CountDownLatch(1));
		ConsumerFixture.behaviour = message -> {
			if (message.getPayload().equals("blocks")) {
				block(never);
			}
		};
		String blocked = this.fixture.xadd("blocks");
		String held = this.fixture.xadd("read with it");
		ConfigurableApplicationContext application = this.fixture.start(GROUP,
				"spring.cloud.stream.redis.binder.shutdown-timeout=1s");
		await().until(() -> received.size() == 1);

		application.close();

		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> received.size() == 1);
		assertThat(this.fixture.command("XPENDING", STREAM, GROUP, "-", "+", "10")).contains(blocked, held);
	}

	@Test
	void aHandlerWhoseDataStoreIsDownIsNotDeadLetteredAndRunsAgainOnceTheStoreIsBack() {
		AtomicBoolean storeDown = new AtomicBoolean(true);
		ConsumerFixture.behaviour = message -> {
			if (storeDown.get()) {
				throw new QueryTimeoutException("Redis command timed out (simulated)");
			}
		};
		String id = this.fixture.xadd("needs the store");
		this.fixture.start(GROUP, REDIS_BINDING + "enable-dlq=true", BINDING + "max-attempts=2",
				BINDING + "back-off-initial-interval=10", REDIS_BINDING + "claim-interval=200ms");
		await().until(() -> received.size() >= 2);

		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
			.until(() -> this.fixture.command("XLEN", STREAM + "." + GROUP + ".dlq").equals("0")
					&& this.fixture.command("XPENDING", STREAM, GROUP, "-", "+", "10").contains(id));

		storeDown.set(false);
		await().until(() -> this.fixture.pending() == 0);
		assertThat(this.fixture.command("XLEN", STREAM + "." + GROUP + ".dlq")).isEqualTo("0");
	}

	@Test
	void aHandlerAbortedByShutdownIsNotDeadLetteredButLeftPending() {
		CountDownLatch never = releasedOnClose(new CountDownLatch(1));
		ConsumerFixture.behaviour = message -> {
			try {
				never.await();
			}
			catch (InterruptedException ex) {
				// A handler that swallows the interrupt and fails: it did not fail on its own.
				throw new IllegalStateException("gave up waiting");
			}
		};
		String blocked = this.fixture.xadd("blocks");
		ConfigurableApplicationContext application = this.fixture.start(GROUP,
				"spring.cloud.stream.redis.binder.shutdown-timeout=500ms", REDIS_BINDING + "enable-dlq=true",
				BINDING + "max-attempts=1");
		await().until(() -> received.size() == 1);

		application.close();

		await().during(Duration.ofSeconds(1))
			.atMost(Duration.ofSeconds(3))
			.until(() -> this.fixture.command("XLEN", STREAM + "." + GROUP + ".dlq").equals("0"));
		assertThat(this.fixture.command("XPENDING", STREAM, GROUP, "-", "+", "10")).contains(blocked);
	}

	@Test
	void consumerHoldsAtMostReadCountEntriesAndAcknowledgesThemInBatchesOfAckBatchSize() {
		Semaphore permits = new Semaphore(0);
		this.fixture.beforeClose(() -> permits.release(1_000));
		ConsumerFixture.behaviour = message -> permits.acquireUninterruptibly();
		for (int i = 1; i <= 20; i++) {
			this.fixture.xadd("m" + i);
		}

		this.fixture.start(GROUP, REDIS_BINDING + "read-count=5", REDIS_BINDING + "ack-batch-size=2");

		await().until(() -> received.size() == 1);
		assertThat(this.fixture.pending()).as("pending while the first entry is handled").isEqualTo(5);

		permits.release();
		await().until(() -> received.size() == 2);
		assertThat(this.fixture.pending()).as("one entry done is less than an ack batch").isEqualTo(5);

		permits.release();
		await().until(() -> received.size() == 3);
		assertThat(this.fixture.pending()).as("two entries done make an ack batch").isEqualTo(3);

		permits.release(1_000);
		await().until(() -> received.size() == 20 && this.fixture.pending() == 0);
		assertThat(payloads()).first().isEqualTo("m1");
		assertThat(payloads()).last().isEqualTo("m20");
	}

	private CountDownLatch releasedOnClose(CountDownLatch latch) {
		this.fixture.beforeClose(latch::countDown);
		return latch;
	}

}
