package dev.rill.e2e.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;

/**
 * The ceiling: what Lettuce does without Spring, written for speed.
 * <ul>
 * <li>Producer: {@code XADD key * payload <bytes>} on a connection of its own with auto-flush
 * off, flushed every 64 commands and whenever the producer waits: a true pipeline.</li>
 * <li>Consumer: one thread, {@code XREADGROUP GROUP bench c1 COUNT <read-count> BLOCK 2000
 * STREAMS key >} on a second connection; after each read an {@code XACK} of its ids, not
 * awaited, so it travels in front of the next read.</li>
 * </ul>
 */
final class LettuceTransport implements Transport {

	private static final byte[] FIELD = "payload".getBytes(StandardCharsets.UTF_8);

	private static final byte[] GROUP = "bench".getBytes(StandardCharsets.UTF_8);

	private final String host;

	private final int port;

	private final byte[] key;

	private final int readCount;

	private final LongAdder failures = new LongAdder();

	private RedisClient client;

	private StatefulRedisConnection<byte[], byte[]> producerConnection;

	private RedisAsyncCommands<byte[], byte[]> producer;

	private StatefulRedisConnection<byte[], byte[]> consumerConnection;

	private Thread reader;

	private volatile boolean running;

	LettuceTransport(String host, int port, String key, int readCount) {
		this.host = host;
		this.port = port;
		this.key = key.getBytes(StandardCharsets.UTF_8);
		this.readCount = readCount;
	}

	@Override
	public void start(Tally tally) {
		this.client = RedisClient.create(RedisURI.create(this.host, this.port));
		this.producerConnection = this.client.connect(ByteArrayCodec.INSTANCE);
		this.producerConnection.setAutoFlushCommands(false);
		this.producer = this.producerConnection.async();
		this.consumerConnection = this.client.connect(ByteArrayCodec.INSTANCE);
		RedisCommands<byte[], byte[]> admin = this.consumerConnection.sync();
		admin.del(this.key);
		admin.xgroupCreate(XReadArgs.StreamOffset.from(this.key, "0"), GROUP, XGroupCreateArgs.Builder.mkstream());
		this.running = true;
		this.reader = new Thread(() -> read(tally), "lettuce-consumer");
		this.reader.start();
	}

	private void read(Tally tally) {
		RedisCommands<byte[], byte[]> sync = this.consumerConnection.sync();
		RedisAsyncCommands<byte[], byte[]> async = this.consumerConnection.async();
		Consumer<byte[]> consumer = Consumer.from(GROUP, "c1".getBytes(StandardCharsets.UTF_8));
		XReadArgs args = XReadArgs.Builder.count(this.readCount).block(Duration.ofSeconds(2));
		XReadArgs.StreamOffset<byte[]> offset = XReadArgs.StreamOffset.lastConsumed(this.key);
		while (this.running) {
			List<StreamMessage<byte[], byte[]>> messages;
			try {
				messages = sync.xreadgroup(consumer, args, offset);
			}
			catch (RuntimeException ex) {
				if (this.running) {
					System.err.println("XREADGROUP failed: " + ex);
				}
				continue;
			}
			if (messages.isEmpty()) {
				continue;
			}
			String[] ids = new String[messages.size()];
			for (int i = 0; i < ids.length; i++) {
				StreamMessage<byte[], byte[]> message = messages.get(i);
				ids[i] = message.getId();
				// One field only; a byte[] key cannot be looked up by equality.
				tally.receive(message.getBody().values().iterator().next());
			}
			async.xack(this.key, GROUP, ids);
		}
	}

	@Override
	public void send(byte[] payload) {
		Map<byte[], byte[]> body = Collections.singletonMap(FIELD, payload);
		this.producer.xadd(this.key, body).whenComplete((id, ex) -> {
			if (ex != null) {
				this.failures.increment();
			}
		});
	}

	@Override
	public void flush() {
		this.producerConnection.flushCommands();
	}

	@Override
	public void afterPhase() {
		var trim = this.producer.xtrim(this.key, 0);
		this.producerConnection.flushCommands();
		try {
			trim.get(30, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException("XTRIM failed", ex);
		}
	}

	@Override
	public long sendFailures() {
		return this.failures.sum();
	}

	@Override
	public void close() {
		this.running = false;
		try {
			if (this.reader != null) {
				this.reader.join(5_000);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (this.producerConnection != null) {
			var delete = this.producer.del(this.key);
			this.producerConnection.flushCommands();
			try {
				delete.get(30, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				// Only clean-up.
			}
			this.producerConnection.close();
		}
		if (this.consumerConnection != null) {
			this.consumerConnection.close();
		}
		if (this.client != null) {
			this.client.shutdown();
		}
	}

}
