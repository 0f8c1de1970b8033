package dev.rill.binder.redis.inbound;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

import dev.rill.binder.redis.RedisStreamsHeaders;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.messaging.Message;

import static dev.rill.binder.redis.inbound.ConsumerFixture.BINDING;
import static dev.rill.binder.redis.inbound.ConsumerFixture.GROUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.list;
import static org.awaitility.Awaitility.await;

/**
 * With {@code batch-mode}, one read is handed to the handler as one message: the
 * payloads in stream order, and the headers of each entry in
 * {@value RedisStreamsHeaders#BATCH_HEADERS}. The batch stays pending while the handler
 * runs and is acknowledged as a whole once it returned.
 */
class ConsumerBatchModeTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	static final List<Message<List<String>>> batches = new CopyOnWriteArrayList<>();

	/** The handler returns once this is released. */
	static volatile CountDownLatch release = new CountDownLatch(0);

	@RegisterExtension
	final ConsumerFixture fixture = new ConsumerFixture(redis);

	@BeforeEach
	void reset() {
		batches.clear();
		release = new CountDownLatch(1);
		this.fixture.beforeClose(release::countDown);
	}

	@Test
	void batchModeHandsTheEntriesOfOneReadToTheHandlerInOneCallWithTheHeadersOfEach() {
		List<String> ids = List.of(this.fixture.xadd("one"), this.fixture.xadd("two"), this.fixture.xadd("three"),
				this.fixture.xadd("four"), this.fixture.xadd("five"));

		this.fixture.start(BatchApplication.class, GROUP, BINDING + "batch-mode=true");

		await().until(() -> batches.stream().mapToInt(batch -> batch.getPayload().size()).sum() >= 5);
		assertThat(batches).as("entries written before the start are read at once").hasSize(1);
		Message<List<String>> batch = batches.get(0);
		assertThat(batch.getPayload()).containsExactly("one", "two", "three", "four", "five");
		assertThat(batch.getHeaders().get(RedisStreamsHeaders.BATCH_HEADERS)).asInstanceOf(list(Map.class))
			.extracting(headers -> headers.get(RedisStreamsHeaders.ENTRY_ID))
			.containsExactlyElementsOf(ids);
		assertThat(batch.getHeaders()).containsEntry(RedisStreamsHeaders.GROUP, GROUP);
		assertThat(this.fixture.pending()).as("pending while the handler runs").isEqualTo(5);

		release.countDown();
		await().until(() -> this.fixture.pending() == 0);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class BatchApplication {

		@Bean
		Consumer<Message<List<String>>> sink() {
			return batch -> {
				batches.add(batch);
				ConsumerFixture.block(release);
			};
		}

	}

}
