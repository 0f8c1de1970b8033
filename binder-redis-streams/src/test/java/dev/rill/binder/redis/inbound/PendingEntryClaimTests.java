package dev.rill.binder.redis.inbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import dev.rill.binder.redis.RedisStreamsHeaders;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
 * Reclaiming a dead consumer's work: entries pending on a consumer that stopped reading
 * are taken over by a live binding of the group once they have been idle for
 * {@code claim-idle-time}, and never those a live but slow consumer is still working on.
 * <p>
 * A "dead" consumer is simulated with a raw {@code XREADGROUP} under another consumer
 * name: the entries become pending on it and nobody ever acknowledges them.
 * Oracle: every entry written is handled by the live binding exactly once and the
 * group's pending list ends empty.
 */
class PendingEntryClaimTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	private static final String FAST_CLAIMS = REDIS_BINDING + "claim-interval=100ms";

	@RegisterExtension
	final ConsumerFixture fixture = new ConsumerFixture(redis);

	@Test
	void entriesPendingOnADeadConsumerAreProcessedOnceByTheLiveBindingAsTheirSecondDelivery() {
		List<String> written = List.of(this.fixture.xadd("one"), this.fixture.xadd("two"), this.fixture.xadd("three"));
		readByDeadConsumer(written.size());

		this.fixture.start(GROUP, REDIS_BINDING + "claim-idle-time=1s", FAST_CLAIMS);

		await().until(() -> received.size() == 3);
		assertThat(payloads()).containsExactlyInAnyOrder("one", "two", "three");
		assertThat(received).extracting(message -> message.getHeaders().get(RedisStreamsHeaders.DELIVERY_COUNT))
			.as("claiming does not count as a delivery; reading the claimed entry does")
			.containsOnly(2L);
		await().until(() -> this.fixture.pending() == 0);
	}

	@Test
	void entriesIdleForLessThanClaimIdleTimeAreLeftToTheirConsumer() {
		this.fixture.xadd("still owned");
		readByDeadConsumer(1);

		this.fixture.start(GROUP, REDIS_BINDING + "claim-idle-time=1m", FAST_CLAIMS);

		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(received::isEmpty);
		assertThat(pendingConsumers()).containsExactly("dead");
	}

	@Test
	void aDeadConsumerWithNothingLeftPendingIsRemovedFromTheGroupAfterConsumerExpiry() {
		this.fixture.xadd("one");
		readByDeadConsumer(1);

		this.fixture.start(GROUP, REDIS_BINDING + "claim-idle-time=1s", REDIS_BINDING + "consumer-expiry=1500ms",
				FAST_CLAIMS);

		await().until(() -> received.size() == 1);
		await().untilAsserted(() -> assertThat(consumerNames()).doesNotContain("dead").isNotEmpty());
	}

	@Test
	void aConsumerIdleForLessThanConsumerExpiryStaysInTheGroupThoughItsEntriesWereClaimed() {
		this.fixture.xadd("one");
		readByDeadConsumer(1);

		this.fixture.start(GROUP, REDIS_BINDING + "claim-idle-time=1s", FAST_CLAIMS);

		await().until(() -> received.size() == 1);
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
			.untilAsserted(() -> assertThat(consumerNames()).contains("dead"));
	}

	@Test
	void aSlowHandlerKeepsItsEntriesWhileAnotherInstanceOfTheGroupClaims() {
		CountDownLatch release = new CountDownLatch(1);
		this.fixture.beforeClose(release::countDown);
		ConsumerFixture.behaviour = message -> {
			if (message.getPayload().equals("slow")) {
				block(release);
			}
		};
		// The slow instance reads the entry; its own claimer would only look every minute,
		// so what keeps the entry from the other instance is the idle-time refresh alone.
		this.fixture.start(GROUP, REDIS_BINDING + "claim-idle-time=500ms", REDIS_BINDING + "claim-interval=1m");
		this.fixture.xadd("slow");
		await().until(() -> timesReceived("slow") == 1);
		this.fixture.start(GROUP, REDIS_BINDING + "claim-idle-time=500ms", FAST_CLAIMS);

		// Six times the claim idle time: long enough for the other instance's claimer to
		// take the entry many times over if its idle time were not kept short.
		await().during(Duration.ofSeconds(3))
			.atMost(Duration.ofSeconds(5))
			.until(() -> timesReceived("slow") == 1 && this.fixture.pending() == 1);

		release.countDown();
		await().until(() -> this.fixture.pending() == 0);
		this.fixture.xadd("after");
		await().until(() -> timesReceived("after") == 1);
		assertThat(timesReceived("slow")).isEqualTo(1);
	}

	@Test
	void pendingEntriesThatWereTrimmedAreDroppedFromThePendingListAndTheRestIsProcessed() {
		String trimmed = this.fixture.xadd("trimmed away");
		this.fixture.xadd("kept");
		readByDeadConsumer(2);
		this.fixture.command("XDEL", STREAM, trimmed);

		this.fixture.start(GROUP, REDIS_BINDING + "claim-idle-time=1s", FAST_CLAIMS);

		await().until(() -> this.fixture.pending() == 0);
		assertThat(payloads()).containsExactly("kept");
	}

	/** Create the group at the start of the stream and let consumer "dead" read entries. */
	private void readByDeadConsumer(int count) {
		this.fixture.command("XGROUP", "CREATE", STREAM, GROUP, "0", "MKSTREAM");
		String reply = this.fixture.command("XREADGROUP", "GROUP", GROUP, "dead", "COUNT", Integer.toString(count),
				"STREAMS", STREAM, ">");
		assertThat(reply).as("the dead consumer read the entries").isNotNull();
	}

	/** The consumers that hold pending entries (XPENDING summary). */
	private List<String> pendingConsumers() {
		String[] summary = this.fixture.command("XPENDING", STREAM, GROUP).split("\n");
		// count, smallest id, greatest id, then (consumer, count) pairs
		List<String> consumers = new ArrayList<>();
		for (int i = 3; i < summary.length; i += 2) {
			consumers.add(summary[i]);
		}
		return consumers;
	}

	/** The names of the group's consumers (XINFO CONSUMERS). */
	private List<String> consumerNames() {
		String[] fields = this.fixture.command("XINFO", "CONSUMERS", STREAM, GROUP).split("\n");
		List<String> names = new ArrayList<>();
		for (int i = 0; i + 1 < fields.length; i++) {
			if (fields[i].equals("name")) {
				names.add(fields[i + 1]);
			}
		}
		return names;
	}

}
