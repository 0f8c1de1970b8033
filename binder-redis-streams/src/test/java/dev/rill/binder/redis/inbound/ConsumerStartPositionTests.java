package dev.rill.binder.redis.inbound;

import java.time.Duration;
import java.time.Instant;

import dev.rill.binder.redis.RedisStreamsHeaders;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.ConfigurableApplicationContext;

import static dev.rill.binder.redis.inbound.ConsumerFixture.GROUP;
import static dev.rill.binder.redis.inbound.ConsumerFixture.REDIS_BINDING;
import static dev.rill.binder.redis.inbound.ConsumerFixture.STREAM;
import static dev.rill.binder.redis.inbound.ConsumerFixture.payloads;
import static dev.rill.binder.redis.inbound.ConsumerFixture.received;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Where a new consumer group starts reading: named groups from the beginning of the
 * stream, anonymous consumers from its end, or where {@code start-position} says (an
 * entry id or a point in time). Each test writes a marker entry after the application
 * started, so that "only these entries were delivered" is checked once the marker, which
 * comes after everything else in the stream, has arrived.
 */
class ConsumerStartPositionTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	@RegisterExtension
	final ConsumerFixture fixture = new ConsumerFixture(redis);

	@Test
	void namedGroupStartsAtTheEarliestEntryByDefault() {
		this.fixture.xadd("written before the application started");

		this.fixture.start(GROUP);
		this.fixture.xadd("marker");

		await().until(() -> payloads().contains("marker"));
		assertThat(payloads()).containsExactly("written before the application started", "marker");
	}

	@Test
	void anonymousConsumerStartsAtTheLatestEntry() {
		this.fixture.xadd("written before the application started");

		this.fixture.start(null);
		this.fixture.xadd("marker");

		await().until(() -> payloads().contains("marker"));
		assertThat(payloads()).containsExactly("marker");
		assertThat(received.get(0).getHeaders().get(RedisStreamsHeaders.GROUP)).asString().startsWith("anonymous.");
	}

	@Test
	void anonymousConsumersGroupIsRemovedFromTheStreamWhenTheApplicationCloses() {
		ConfigurableApplicationContext application = this.fixture.start(null);
		this.fixture.xadd("marker");
		await().until(() -> payloads().contains("marker"));
		String group = (String) received.get(0).getHeaders().get(RedisStreamsHeaders.GROUP);
		assertThat(groups()).contains(group);

		application.close();

		assertThat(groups()).doesNotContain(group).doesNotContain("anonymous.");
	}

	@Test
	void startPositionAtAnEntryIdDeliversOnlyTheEntriesAfterIt() {
		this.fixture.xadd("before");
		String position = this.fixture.xadd("at the position");
		this.fixture.xadd("after");

		this.fixture.start(GROUP, REDIS_BINDING + "start-position=" + position);
		this.fixture.xadd("marker");

		await().until(() -> payloads().contains("marker"));
		assertThat(payloads()).containsExactly("after", "marker");
	}

	@Test
	void startPositionAtAnInstantSkipsEntriesOlderThanItAndDeliversNewerOnes() {
		long now = Instant.now().toEpochMilli();
		this.fixture.command("XADD", STREAM, (now - 60_000) + "-0", "payload", "a minute ago", "contentType",
				"text/plain");
		this.fixture.command("XADD", STREAM, (now - 31_000) + "-0", "payload", "31 seconds ago", "contentType",
				"text/plain");
		this.fixture.command("XADD", STREAM, (now - 29_000) + "-0", "payload", "29 seconds ago", "contentType",
				"text/plain");
		this.fixture.command("XADD", STREAM, (now - 1_000) + "-0", "payload", "a second ago", "contentType",
				"text/plain");

		this.fixture.start(GROUP, REDIS_BINDING + "start-position=" + Instant.ofEpochMilli(now - 30_000));
		this.fixture.xadd("marker");

		await().atMost(Duration.ofSeconds(10)).until(() -> payloads().contains("marker"));
		assertThat(payloads()).containsExactly("29 seconds ago", "a second ago", "marker");
	}

	private String groups() {
		return String.valueOf(this.fixture.command("XINFO", "GROUPS", STREAM));
	}

}
