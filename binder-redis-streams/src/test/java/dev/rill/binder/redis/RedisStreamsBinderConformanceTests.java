package dev.rill.binder.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.rill.binder.redis.properties.RedisStreamsConsumerProperties;
import dev.rill.binder.redis.properties.RedisStreamsProducerProperties;
import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.cloud.stream.binder.ExtendedConsumerProperties;
import org.springframework.cloud.stream.binder.ExtendedProducerProperties;
import org.springframework.cloud.stream.binder.PartitionCapableBinderTests;
import org.springframework.cloud.stream.binder.Spy;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;

/**
 * Spring Cloud Stream's own binder conformance kit ({@link PartitionCapableBinderTests},
 * which includes {@code AbstractBinderTests}) run against the Redis Streams binder on a
 * real, private Redis. Every inherited test runs as written; this class only supplies the
 * binder, its properties and an out-of-band view of a stream.
 * <p>
 * Routing is explicit: partition {@code n} of a destination is stream key
 * {@code destination:n}, read only by the instance with index {@code n}.
 */
class RedisStreamsBinderConformanceTests extends
		PartitionCapableBinderTests<RedisStreamsTestBinder, ExtendedConsumerProperties<RedisStreamsConsumerProperties>, ExtendedProducerProperties<RedisStreamsProducerProperties>> {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	@Override
	protected RedisStreamsTestBinder getBinder() {
		if (this.testBinder == null) {
			this.testBinder = new RedisStreamsTestBinder("127.0.0.1", redis.port());
		}
		return this.testBinder;
	}

	@Override
	public void cleanup() {
		super.cleanup();
		this.testBinder = null;
	}

	@Override
	protected ExtendedConsumerProperties<RedisStreamsConsumerProperties> createConsumerProperties() {
		ExtendedConsumerProperties<RedisStreamsConsumerProperties> properties = new ExtendedConsumerProperties<>(
				new RedisStreamsConsumerProperties());
		// Short blocking reads let unbinding, which waits for the current read, finish fast.
		properties.getExtension().setBlockTime(Duration.ofMillis(200));
		return properties;
	}

	@Override
	protected ExtendedProducerProperties<RedisStreamsProducerProperties> createProducerProperties(TestInfo testInfo) {
		ExtendedProducerProperties<RedisStreamsProducerProperties> properties = new ExtendedProducerProperties<>(
				new RedisStreamsProducerProperties());
		// The kit sends and then binds a new anonymous consumer, expecting the message to be
		// older than the group. An asynchronous send may still be in flight when the group is
		// created (as with the Kafka binder's default), so the kit's producers wait for Redis.
		properties.getExtension().setSync(true);
		return properties;
	}

	@Override
	protected boolean usesExplicitRouting() {
		return true;
	}

	@Override
	protected String getClassUnderTestName() {
		return RedisStreamsMessageChannelBinder.class.getSimpleName();
	}

	/**
	 * Reads the entries of a stream directly, in order, without a consumer group.
	 */
	@Override
	public Spy spyOn(String name) {
		RedisConnection connection = getBinder().connectionFactory().getConnection();
		return new Spy() {

			private String lastId = "0";

			@Override
			public Object receive(boolean expectNull) {
				List<ByteRecord> records = connection.streamCommands()
					.xRead(StreamReadOptions.empty().count(1).block(Duration.ofMillis(expectNull ? 100 : 1000)),
							StreamOffset.create(name.getBytes(StandardCharsets.UTF_8), ReadOffset.from(this.lastId)));
				if (records == null || records.isEmpty()) {
					return null;
				}
				this.lastId = records.get(0).getId().getValue();
				return records.get(0)
					.getValue()
					.entrySet()
					.stream()
					.filter(field -> "payload".equals(new String(field.getKey(), StandardCharsets.UTF_8)))
					.map(Map.Entry::getValue)
					.findFirst()
					.orElse(null);
			}

		};
	}

}
