package dev.rill.binder.redis.outbound;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.rill.binder.redis.test.RedisServerExtension;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How the producer's {@code XADD}s reach Redis ({@link StreamAppender} over a
 * {@link BatchingDispatcher}): asynchronous ones in batches, in the order they were
 * written, each answered on its own; the last ones of a burst without anybody asking
 * for a flush; a synchronous one at once.
 */
class BatchingDispatcherTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	private static final byte[] KEY = bytes("orders");

	private RedisClient client;

	private StreamAppender appender;

	@BeforeEach
	void connect() {
		redis.flushAll();
		this.client = RedisClient.create(redis.uri());
		StatefulRedisConnection<byte[], byte[]> connection = this.client.connect(ByteArrayCodec.INSTANCE);
		this.appender = new StreamAppender(connection);
	}

	@AfterEach
	void close() {
		this.appender.close();
		this.client.shutdown();
	}

	@Test
	void aBurstTravelsInFewerBatchesThanEntriesAndArrivesCompleteAndInOrder() {
		List<RedisFuture<String>> sends = new ArrayList<>();
		for (int i = 0; i < 2000; i++) {
			sends.add(append("m" + i, false));
		}

		await().until(() -> sends.stream().allMatch(RedisFuture::isDone));
		assertThat(sends).allSatisfy(send -> assertThat(send.toCompletableFuture().join()).matches("\\d+-\\d+"));
		assertThat(payloads()).isEqualTo(java.util.stream.IntStream.range(0, 2000).mapToObj(i -> "m" + i).toList());
		System.out.println("BATCHING: 2000 asynchronous XADDs in " + this.appender.batches() + " batches");
		assertThat(this.appender.batches()).as("batches").isLessThan(2000);
	}

	@Test
	void whenTheProducerStopsSendingWhatIsQueuedIsFlushedWithoutAnotherSend() {
		List<RedisFuture<String>> sends = new ArrayList<>();
		for (int i = 0; i < 300; i++) {
			sends.add(append("m" + i, false));
		}
		// Nothing more is sent and nobody asks for a flush: the replies of the batches in
		// flight hand over what was queued meanwhile.

		await().atMost(Duration.ofSeconds(30)).until(() -> sends.stream().allMatch(RedisFuture::isDone));
		assertThat(payloads()).hasSize(300);
	}

	@Test
	void aLoneSendAfterAPauseIsHandedOverAtOnce() {
		CompletableFuture<String> first = append("first", false).toCompletableFuture();
		await().until(first::isDone);

		CompletableFuture<String> lone = append("lone", false).toCompletableFuture();

		await().atMost(Duration.ofSeconds(30)).until(lone::isDone);
		assertThat(payloads()).containsExactly("first", "lone");
	}

	@Test
	void anEntryRedisRefusesFailsAloneAndTheRestOfItsBatchIsWritten() {
		redis.server().command("SET", "not-a-stream", "x");
		List<RedisFuture<String>> sends = new ArrayList<>();
		List<RedisFuture<String>> refused = new ArrayList<>();
		for (int i = 0; i < 500; i++) {
			sends.add(append("m" + i, false));
			if (i % 100 == 50) {
				refused.add(this.appender.append(bytes("not-a-stream"), new XAddArgs(),
						new byte[][] { bytes("payload"), bytes("x") }, false));
			}
		}

		await().until(() -> sends.stream().allMatch(RedisFuture::isDone) && refused.stream().allMatch(RedisFuture::isDone));
		assertThat(refused).allSatisfy(send -> assertThat(send.toCompletableFuture()).isCompletedExceptionally());
		assertThat(refused.get(0).toCompletableFuture().handle((id, ex) -> ex.getMessage()).join())
			.startsWith("WRONGTYPE");
		assertThat(sends).noneSatisfy(send -> assertThat(send.toCompletableFuture()).isCompletedExceptionally());
		assertThat(payloads()).hasSize(500);
	}

	@Test
	void aSynchronousSendIsHandedOverAtOnceBehindTheQueuedOnes() {
		List<RedisFuture<String>> sends = new ArrayList<>();
		for (int i = 0; i < 500; i++) {
			sends.add(append("m" + i, false));
		}
		CompletableFuture<String> sync = append("sync", true).toCompletableFuture();

		await().atMost(Duration.ofSeconds(30)).until(sync::isDone);
		assertThat(sends).allMatch(RedisFuture::isDone);
		assertThat(payloads()).hasSize(501).endsWith("sync");
	}

	private RedisFuture<String> append(String payload, boolean now) {
		return this.appender.append(KEY, new XAddArgs(), new byte[][] { bytes("payload"), bytes(payload) }, now);
	}

	/** The payloads of {@code orders}, oldest first. */
	private static List<String> payloads() {
		return StreamPayloads.of(redis.server(), "orders");
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
