package dev.rill.binder.redis.endpoint;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.EntryDescriptor;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.GroupDescriptor;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.ReplayDescriptor;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.StreamDescriptor;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.StreamPageDescriptor;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.StreamsDescriptor;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.stream.StreamRecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The endpoint's operations called directly against a real Redis, whose state is set up
 * and checked with plain commands. Oracle: the numbers Redis itself reports for a known
 * sequence of commands, and the entries in the streams after each write operation.
 */
class RedisStreamsEndpointTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	private static LettuceConnectionFactory connectionFactory;

	private final RedisStreamsEndpoint endpoint = new RedisStreamsEndpoint(connectionFactory, "app:");

	@BeforeAll
	static void connect() {
		connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(redis.server().host(), redis.server().port()));
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
	}

	@AfterAll
	static void disconnect() {
		connectionFactory.destroy();
	}

	@BeforeEach
	void clean() {
		redis.flushAll();
	}

	@Test
	void listsTheStreamsUnderTheKeyPrefixWithLengthIdsGroupsLagPendingAndConsumers() {
		for (int i = 1; i <= 5; i++) {
			command("XADD", "app:orders", i + "-0", "payload", "order " + i);
		}
		command("XGROUP", "CREATE", "app:orders", "billing", "0");
		command("XREADGROUP", "GROUP", "billing", "billing-1", "COUNT", "3", "STREAMS", "app:orders", ">");
		command("XACK", "app:orders", "billing", "1-0");
		command("XREADGROUP", "GROUP", "billing", "billing-2", "COUNT", "1", "STREAMS", "app:orders", ">");
		command("XGROUP", "CREATE", "app:orders", "shipping", "$");
		command("XGROUP", "CREATE", "app:empty", "audit", "$", "MKSTREAM");
		command("SET", "app:not-a-stream", "x");
		command("XADD", "other:orders", "*", "payload", "not ours");

		StreamsDescriptor listing = this.endpoint.streams();

		assertThat(listing.keyPrefix()).isEqualTo("app:");
		assertThat(listing.truncated()).isFalse();
		assertThat(listing.streams()).extracting(StreamDescriptor::key).containsExactly("app:empty", "app:orders");
		StreamDescriptor empty = listing.streams().get(0);
		assertThat(empty.length()).isZero();
		assertThat(empty.firstId()).isNull();
		assertThat(empty.lastId()).isNull();
		assertThat(empty.groups()).singleElement().satisfies(group -> {
			assertThat(group.name()).isEqualTo("audit");
			assertThat(group.lag()).isZero();
			assertThat(group.consumers()).isEmpty();
		});
		StreamDescriptor orders = listing.streams().get(1);
		assertThat(orders.length()).isEqualTo(5);
		assertThat(orders.firstId()).isEqualTo("1-0");
		assertThat(orders.lastId()).isEqualTo("5-0");
		assertThat(orders.lastGeneratedId()).isEqualTo("5-0");
		assertThat(orders.groups()).extracting(GroupDescriptor::name).containsExactly("billing", "shipping");
		GroupDescriptor billing = orders.groups().get(0);
		assertThat(billing.lag()).isEqualTo(1);
		assertThat(billing.lagCapped()).isFalse();
		assertThat(billing.pending()).isEqualTo(3);
		assertThat(billing.lastDeliveredId()).isEqualTo("4-0");
		assertThat(billing.consumers()).satisfiesExactly(consumer -> {
			assertThat(consumer.name()).isEqualTo("billing-1");
			assertThat(consumer.pending()).isEqualTo(2);
			assertThat(consumer.idleMs()).isBetween(0L, 60_000L);
		}, consumer -> {
			assertThat(consumer.name()).isEqualTo("billing-2");
			assertThat(consumer.pending()).isEqualTo(1);
		});
		GroupDescriptor shipping = orders.groups().get(1);
		assertThat(shipping.lag()).isZero();
		assertThat(shipping.pending()).isZero();
		assertThat(shipping.lastDeliveredId()).isEqualTo("5-0");
	}

	@Test
	void withAnEmptyKeyPrefixEveryStreamIsListed() {
		command("XADD", "orders", "*", "payload", "a");
		command("XADD", "app:orders", "*", "payload", "b");
		command("SET", "string", "x");

		StreamsDescriptor listing = new RedisStreamsEndpoint(connectionFactory, "").streams();

		assertThat(listing.streams()).extracting(StreamDescriptor::key).containsExactly("app:orders", "orders");
	}

	@Test
	void lagIsCountedUpToTenThousandWhenRedisDoesNotReportIt() {
		command("EVAL", "for i = 1, tonumber(ARGV[1]) do redis.call('XADD', KEYS[1], '*', 'payload', i) end", "1",
				"app:big", "10006");
		String[] firstTwo = command("XRANGE", "app:big", "-", "+", "COUNT", "2").split("\n");
		command("XGROUP", "CREATE", "app:big", "slow", firstTwo[0]);
		String tenFromTheEnd = command("XREVRANGE", "app:big", "+", "-", "COUNT", "11").split("\n")[30];
		command("XGROUP", "CREATE", "app:big", "recent", tenFromTheEnd);
		// A deleted entry after a group's position: Redis 7 no longer knows its lag (6.2 never does).
		command("XDEL", "app:big", firstTwo[3]);

		List<GroupDescriptor> groups = this.endpoint.streams().streams().get(0).groups();

		assertThat(groups).satisfiesExactly(recent -> {
			assertThat(recent.name()).isEqualTo("recent");
			assertThat(recent.lag()).isEqualTo(10);
			assertThat(recent.lagCapped()).isFalse();
		}, slow -> {
			assertThat(slow.name()).isEqualTo("slow");
			assertThat(slow.lag()).isEqualTo(StreamInspector.MAX_COUNTED_LAG);
			assertThat(slow.lagCapped()).isTrue();
		});
	}

	@Test
	void listsAtMostAThousandStreamsAndSaysWhenThereAreMore() {
		command("EVAL", "for i = 1, tonumber(ARGV[1]) do redis.call('XADD', KEYS[1] .. i, '*', 'payload', i) end", "1",
				"app:s", "1001");

		StreamsDescriptor listing = this.endpoint.streams();

		assertThat(listing.streams()).hasSize(StreamInspector.MAX_LISTED_STREAMS);
		assertThat(listing.truncated()).isTrue();
	}

	@Test
	void pagesThroughTheEntriesOfADeadLetterStreamWithTheirFailureHeaders() {
		for (int i = 1; i <= 5; i++) {
			deadLetter("app:work.workers.dlq", i + "-0", "app:work", "poison " + i);
		}

		StreamPageDescriptor first = this.endpoint.stream("app:work.workers.dlq", null, 2);
		StreamPageDescriptor second = this.endpoint.stream("app:work.workers.dlq", first.next(), 2);
		StreamPageDescriptor last = this.endpoint.stream("app:work.workers.dlq", second.next(), 2);

		assertThat(first.stream().length()).isEqualTo(5);
		assertThat(first.entries()).extracting(EntryDescriptor::id).containsExactly("1-0", "2-0");
		assertThat(first.next()).isEqualTo("2-0");
		assertThat(second.entries()).extracting(EntryDescriptor::id).containsExactly("3-0", "4-0");
		assertThat(last.entries()).extracting(EntryDescriptor::id).containsExactly("5-0");
		assertThat(last.next()).isNull();
		EntryDescriptor entry = first.entries().get(0);
		assertThat(entry.payload()).isEqualTo("poison 1");
		assertThat(entry.payloadEncoding()).isEqualTo("text");
		assertThat(entry.payloadSize()).isEqualTo(8);
		assertThat(entry.payloadTruncated()).isFalse();
		assertThat(entry.headers()).containsEntry("contentType", "text/plain")
			.containsEntry("x-exception-fqcn", "java.lang.IllegalStateException")
			.containsEntry("x-exception-message", "cannot handle poison 1")
			.containsEntry("x-original-stream", "app:work")
			.containsEntry("x-original-entry-id", "1-0")
			.containsEntry("x-original-group", "workers")
			.containsEntry("x-delivery-count", "3")
			.containsKeys("x-failed-at", "x-exception-stacktrace")
			.doesNotContainKey("payload");
		assertThat(this.endpoint.stream("app:work.workers.dlq", null, null).entries()).hasSize(5);
	}

	@Test
	void showsBinaryPayloadsAsBase64AndCutsLargeOnes() {
		byte[] binary = { (byte) 0xff, (byte) 0xfe, 0, 1 };
		byte[] large = "é".repeat(10_000).getBytes(StandardCharsets.UTF_8);
		try (RedisConnection connection = connectionFactory.getConnection()) {
			connection.streamCommands()
				.xAdd(StreamRecords.rawBytes(Map.of(bytes("payload"), binary, bytes("blob"), binary))
					.withStreamKey(bytes("app:binary")));
			connection.streamCommands()
				.xAdd(StreamRecords.rawBytes(Map.of(bytes("payload"), large)).withStreamKey(bytes("app:binary")));
		}

		List<EntryDescriptor> entries = this.endpoint.stream("app:binary", null, null).entries();

		assertThat(entries.get(0).payloadEncoding()).isEqualTo("base64");
		assertThat(entries.get(0).payload()).isEqualTo("//4AAQ==");
		assertThat(entries.get(0).headers()).containsEntry("blob", "base64://4AAQ==");
		assertThat(entries.get(1).payloadEncoding()).isEqualTo("text");
		assertThat(entries.get(1).payloadSize()).isEqualTo(20_000);
		assertThat(entries.get(1).payloadTruncated()).isTrue();
		assertThat(entries.get(1).payload()).isEqualTo("é".repeat(EntryView.MAX_PAYLOAD_BYTES / 2));
	}

	@Test
	void readingAStreamThatDoesNotExistGivesNothingAndBadRequestsAreRejected() {
		command("SET", "app:string", "x");
		command("XADD", "app:orders", "*", "payload", "a");

		assertThat(this.endpoint.stream("app:missing", null, null)).isNull();
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.endpoint.stream("app:string", null, null))
			.withMessageContaining("holds a string");
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.endpoint.stream("other:orders", null, null))
			.withMessageContaining("key-prefix")
			.withMessageContaining("'app:'");
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.endpoint.stream("app:orders", "yesterday", null));
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.endpoint.stream("app:orders", null, 0));
	}

	@Test
	void replayResendsEveryDeadLetterWithoutTheDeadLetterFieldsAndDeletesIt() {
		deadLetter("app:work.workers.dlq", "1-0", "app:work", "one");
		deadLetter("app:work.workers.dlq", "2-0", "app:work", "two");

		ReplayDescriptor result = this.endpoint.replay("app:work.workers.dlq", "replay", null);

		assertThat(result.replayed()).isEqualTo(2);
		assertThat(result.failed()).isEmpty();
		assertThat(result.stopped()).isNull();
		assertThat(command("XLEN", "app:work.workers.dlq")).isEqualTo("0");
		List<EntryDescriptor> resent = this.endpoint.stream("app:work", null, null).entries();
		assertThat(resent).extracting(EntryDescriptor::payload).containsExactly("one", "two");
		assertThat(resent.get(0).headers()).containsOnlyKeys("contentType", "orderId", "attempt", "rill_headerTypes")
			.containsEntry("rill_headerTypes", "attempt:int");
	}

	@Test
	void aDeadLetterWhoseReSendFailsStaysInTheDeadLetterStreamAndIsReportedWhileTheOthersAreReplayed() {
		command("SET", "app:broken", "a string, not a stream");
		deadLetter("app:work.workers.dlq", "1-0", "app:work", "one");
		deadLetter("app:work.workers.dlq", "2-0", "app:broken", "two");
		deadLetter("app:work.workers.dlq", "3-0", "other:work", "three");
		command("XADD", "app:work.workers.dlq", "4-0", "payload", "not a dead letter");

		ReplayDescriptor result = this.endpoint.replay("app:work.workers.dlq", "replay", null);

		assertThat(result.replayed()).isEqualTo(1);
		assertThat(result.failed()).satisfiesExactly(failed -> {
			assertThat(failed.id()).isEqualTo("2-0");
			assertThat(failed.reason()).contains("'app:broken'").contains("WRONGTYPE");
		}, failed -> {
			assertThat(failed.id()).isEqualTo("3-0");
			assertThat(failed.reason()).contains("'other:work'").contains("not a stream of the binder");
		}, failed -> {
			assertThat(failed.id()).isEqualTo("4-0");
			assertThat(failed.reason()).contains("not a dead letter");
		});
		assertThat(ids("app:work.workers.dlq")).containsExactly("2-0", "3-0", "4-0");
		assertThat(command("XLEN", "app:work")).isEqualTo("1");
		assertThat(command("GET", "app:broken")).isEqualTo("a string, not a stream");
		assertThat(command("EXISTS", "other:work")).isEqualTo("0");
	}

	@Test
	void replayByIdReplaysOnlyThoseAndReportsIdsThatAreNotThere() {
		for (int i = 1; i <= 4; i++) {
			deadLetter("app:work.workers.dlq", i + "-0", "app:work", "entry " + i);
		}

		ReplayDescriptor result = this.endpoint.replay("app:work.workers.dlq", "replay",
				"3-0, 1-0,9-0 1-0,junk,4");

		assertThat(result.replayed()).isEqualTo(2);
		assertThat(result.failed()).satisfiesExactly(
				failed -> assertThat(failed.reason()).startsWith("no such entry"),
				failed -> assertThat(failed.reason()).isEqualTo("not an entry id"),
				failed -> assertThat(failed.reason()).as("a time alone names no single entry")
					.isEqualTo("not an entry id"));
		assertThat(ids("app:work.workers.dlq")).containsExactly("2-0", "4-0");
		assertThat(this.endpoint.stream("app:work", null, null).entries()).extracting(EntryDescriptor::payload)
			.containsExactly("entry 3", "entry 1");
	}

	@Test
	void replayOfAStreamThatDoesNotExistReplaysNothingAndOtherOperationsAreRejected() {
		assertThat(this.endpoint.replay("app:nothing.dlq", "replay", null).replayed()).isZero();
		command("SET", "app:string", "x");
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.endpoint.replay("app:string", "replay", null));
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.endpoint.replay("app:work.dlq", "purge", null));
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.endpoint.replay("work.dlq", "replay", null));
	}

	@Test
	void discardDeletesOneDeadLetterButNoOtherEntry() {
		deadLetter("app:work.workers.dlq", "1-0", "app:work", "one");
		deadLetter("app:work.workers.dlq", "2-0", "app:work", "two");
		command("XADD", "app:work", "1-0", "payload", "an ordinary entry");

		assertThat(this.endpoint.discard("app:work.workers.dlq", "1-0").deleted()).isEqualTo(1);
		assertThat(this.endpoint.discard("app:work.workers.dlq", "1-0").deleted()).isZero();
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.endpoint.discard("app:work", "1-0"))
			.withMessageContaining("not a dead letter");

		assertThat(ids("app:work.workers.dlq")).containsExactly("2-0");
		assertThat(ids("app:work")).containsExactly("1-0");
	}

	@Test
	void movesAGroupToAnEntryIdAnInstantTheStartOrTheEnd() {
		for (int i = 1; i <= 5; i++) {
			command("XADD", "app:orders", (i * 1000) + "-0", "payload", "order " + i);
		}
		command("XGROUP", "CREATE", "app:orders", "billing", "$");

		GroupDescriptor atId = this.endpoint.moveGroup("app:orders", "groups", "billing", "2000-0");
		assertThat(atId.lastDeliveredId()).isEqualTo("2000-0");
		assertThat(atId.lag()).isEqualTo(3);

		GroupDescriptor atInstant = this.endpoint.moveGroup("app:orders", "groups", "billing",
				"1970-01-01T00:00:04Z");
		assertThat(atInstant.lag()).isEqualTo(2);
		assertThat(xreadgroup("app:orders", "billing")).containsExactly("4000-0", "5000-0");

		assertThat(this.endpoint.moveGroup("app:orders", "groups", "billing", "earliest").lag()).isEqualTo(5);
		GroupDescriptor atEnd = this.endpoint.moveGroup("app:orders", "groups", "billing", "latest");
		assertThat(atEnd.lag()).isZero();
		assertThat(atEnd.lastDeliveredId()).isEqualTo("5000-0");
		assertThat(atEnd.pending()).as("moving leaves pending entries alone").isEqualTo(2);
	}

	@Test
	void movingAGroupThatDoesNotExistOrToNoPositionIsRejected() {
		command("XGROUP", "CREATE", "app:orders", "billing", "$", "MKSTREAM");

		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.endpoint.moveGroup("app:orders", "groups", "shipping", "earliest"))
			.withMessageContaining("no consumer group 'shipping'");
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.endpoint.moveGroup("app:missing", "groups", "billing", "earliest"));
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.endpoint.moveGroup("app:orders", "groups", "billing", "yesterday"))
			.withMessageContaining("not a start position");
	}

	private static void deadLetter(String dlq, String id, String originalStream, String payload) {
		command(DeadLetters.xadd(dlq, id, originalStream, payload));
	}

	private static List<String> ids(String key) {
		try (RedisConnection connection = connectionFactory.getConnection()) {
			return connection.streamCommands()
				.xRange(bytes(key), org.springframework.data.domain.Range.unbounded())
				.stream()
				.map(record -> record.getId().getValue())
				.toList();
		}
	}

	private static List<String> xreadgroup(String key, String group) {
		String reply = command("XREADGROUP", "GROUP", group, "tester", "STREAMS", key, ">");
		return Arrays.stream(reply.split("\n")).filter(line -> line.matches("\\d+-\\d+")).toList();
	}

	private static String command(String... command) {
		String reply = redis.server().command(command);
		if (reply != null && reply.startsWith("-")) {
			throw new IllegalStateException(String.join(" ", command) + ": " + reply);
		}
		return reply;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
