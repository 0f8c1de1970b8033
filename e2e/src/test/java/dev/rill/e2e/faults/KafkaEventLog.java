package dev.rill.e2e.faults;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The saga's events in Kafka topics (the Kafka binder): {@code orders}, {@code stock},
 * {@code order-status}, their consumer groups' committed offsets, and the binder's dead-letter
 * topics {@code error.<destination>.<group>}, whose records are the original's key, value and
 * headers plus {@code x-original-topic}/{@code -partition}/{@code -offset}/{@code -timestamp}
 * and {@code x-exception-fqcn}/{@code -message}/{@code -stacktrace}.
 * <p>
 * Read with the plain Kafka clients (an {@link Admin}, a consumer without a group per read, a
 * producer), outside the services. An event's fields are its value ({@code payload}) and its
 * headers as text: the binder writes string headers JSON-encoded ({@code "OrderPlaced"}, with
 * their types in {@code spring_json_header_types}), other tools write the bare bytes; both are
 * read as the same text.
 */
public final class KafkaEventLog implements EventLog, AutoCloseable {

	private static final String DLQ_PREFIX = "error.";

	private static final String JSON_TYPES = "spring_json_header_types";

	private static final ObjectMapper JSON = new ObjectMapper();

	private final String bootstrapServers;

	private final Map<String, List<String>> groups;

	private final Admin admin;

	private final KafkaProducer<byte[], byte[]> producer;

	/**
	 * @param bootstrapServers the broker
	 * @param groups the saga's topics and their groups, upstream first
	 */
	public KafkaEventLog(String bootstrapServers, Map<String, List<String>> groups) {
		this.bootstrapServers = bootstrapServers;
		this.groups = groups;
		this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
		this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
				ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
	}

	@Override
	public Mark mark() {
		Map<String, Map<TopicPartition, Long>> ends = new HashMap<>();
		this.groups.keySet().forEach(topic -> ends.put(topic, offsets(topic, OffsetSpec.latest())));
		return topic -> read(topic, ends.getOrDefault(topic, Map.of())).stream()
			.map(record -> new Event(record.partition() + "-" + record.offset(), fields(record)))
			.toList();
	}

	@Override
	public Map<String, List<String>> groups() {
		return this.groups;
	}

	@Override
	public String unacknowledgedName() {
		return "lag";
	}

	/** End offset minus committed offset, summed over the topic's partitions. */
	@Override
	public long unacknowledged(String topic, String group) {
		Map<TopicPartition, OffsetAndMetadata> committed = get(
				this.admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
		long lag = 0;
		for (Map.Entry<TopicPartition, Long> end : offsets(topic, OffsetSpec.latest()).entrySet()) {
			OffsetAndMetadata offset = committed.get(end.getKey());
			lag += end.getValue() - ((offset != null) ? offset.offset() : 0);
		}
		return lag;
	}

	@Override
	public Map<String, Long> deadLetters() {
		return records(topic -> topic.startsWith(DLQ_PREFIX));
	}

	/**
	 * @param topics which topics
	 * @return per topic that exists and is chosen, how many records it holds
	 */
	public Map<String, Long> records(Predicate<String> topics) {
		Map<String, Long> records = new TreeMap<>();
		for (String topic : get(this.admin.listTopics().names())) {
			if (topics.test(topic)) {
				Map<TopicPartition, Long> earliest = offsets(topic, OffsetSpec.earliest());
				records.put(topic, offsets(topic, OffsetSpec.latest()).entrySet()
					.stream()
					.mapToLong(end -> end.getValue() - earliest.getOrDefault(end.getKey(), 0L))
					.sum());
			}
		}
		return records;
	}

	@Override
	public String deadLetterName(String stream, String group) {
		return DLQ_PREFIX + stream + "." + group;
	}

	@Override
	public String add(String stream, Map<String, String> fields) {
		List<Header> headers = new ArrayList<>();
		fields.forEach((name, value) -> {
			if (!name.equals("payload")) {
				headers.add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8)));
			}
		});
		byte[] value = fields.get("payload").getBytes(StandardCharsets.UTF_8);
		RecordMetadata sent = get(this.producer.send(new ProducerRecord<byte[], byte[]>(stream, null, null, value, headers)));
		return sent.partition() + "-" + sent.offset();
	}

	@Override
	public Optional<DeadLetter> deadLetter(String stream, String group, String id) {
		String topic = deadLetterName(stream, group);
		if (!get(this.admin.listTopics().names()).contains(topic)) {
			return Optional.empty();
		}
		return read(topic, Map.of()).stream()
			.filter(record -> stream.equals(text(record, "x-original-topic"))
					&& id.equals(number(record, "x-original-partition") + "-" + number(record, "x-original-offset")))
			.findFirst()
			.map(record -> {
				Map<String, String> original = fields(record);
				original.keySet().removeIf(name -> name.startsWith("x-original-") || name.startsWith("x-exception-"));
				return new DeadLetter(original, stream, id,
						Instant.ofEpochMilli(number(record, "x-original-timestamp")), null, null,
						text(record, "x-exception-fqcn"), text(record, "x-exception-message"),
						text(record, "x-exception-stacktrace"), Instant.ofEpochMilli(record.timestamp()));
			});
	}

	@Override
	public String replay(DeadLetter deadLetter, Map<String, String> changes) {
		Map<String, String> fields = new LinkedHashMap<>(deadLetter.fields());
		// The types of JSON-encoded headers no longer apply: every header is written as bare text.
		fields.remove(JSON_TYPES);
		fields.putAll(changes);
		return add(deadLetter.originalStream(), fields);
	}

	/**
	 * Every record of a topic from the given offsets (the beginning for partitions not given)
	 * up to its end now.
	 */
	private List<ConsumerRecord<byte[], byte[]>> read(String topic, Map<TopicPartition, Long> from) {
		Map<TopicPartition, Long> ends = offsets(topic, OffsetSpec.latest());
		List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
				Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers,
						ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000"),
				new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
			consumer.assign(ends.keySet());
			Map<TopicPartition, Long> left = new HashMap<>();
			ends.forEach((partition, end) -> {
				long start = from.getOrDefault(partition, 0L);
				consumer.seek(partition, start);
				if (start < end) {
					left.put(partition, end);
				}
			});
			long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (!left.isEmpty()) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("Could not read " + topic + " to its end " + ends + " in 30 s");
				}
				for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
					TopicPartition partition = new TopicPartition(record.topic(), record.partition());
					Long end = left.get(partition);
					if (end != null && record.offset() < end) {
						records.add(record);
						if (record.offset() + 1 >= end) {
							left.remove(partition);
						}
					}
				}
			}
		}
		return records;
	}

	private Map<TopicPartition, Long> offsets(String topic, OffsetSpec spec) {
		Set<String> topics = get(this.admin.listTopics().names());
		if (!topics.contains(topic)) {
			return Map.of();
		}
		Map<TopicPartition, OffsetSpec> request = new HashMap<>();
		get(this.admin.describeTopics(List.of(topic)).allTopicNames()).get(topic)
			.partitions()
			.forEach(partition -> request.put(new TopicPartition(topic, partition.partition()), spec));
		Map<TopicPartition, Long> offsets = new HashMap<>();
		get(this.admin.listOffsets(request).all()).forEach((partition, info) -> offsets.put(partition, info.offset()));
		return offsets;
	}

	/** {@code payload} (the value) and every header as text, in order. */
	private static Map<String, String> fields(ConsumerRecord<byte[], byte[]> record) {
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put("payload", (record.value() != null) ? new String(record.value(), StandardCharsets.UTF_8) : null);
		for (Header header : record.headers()) {
			fields.put(header.key(), text(header.value()));
		}
		return fields;
	}

	private static String text(ConsumerRecord<byte[], byte[]> record, String header) {
		Header found = record.headers().lastHeader(header);
		return (found != null) ? text(found.value()) : null;
	}

	/** The binder writes the original partition as 4 bytes, offsets and times as 8. */
	private static long number(ConsumerRecord<byte[], byte[]> record, String header) {
		Header found = record.headers().lastHeader(header);
		if (found == null) {
			throw new IllegalStateException("Dead letter " + record.topic() + "/" + record.offset() + " has no " + header);
		}
		byte[] bytes = found.value();
		return switch (bytes.length) {
			case Integer.BYTES -> ByteBuffer.wrap(bytes).getInt();
			case Long.BYTES -> ByteBuffer.wrap(bytes).getLong();
			default -> Long.parseLong(text(bytes));
		};
	}

	/** A JSON-encoded string header ({@code "OrderPlaced"}) as its string, anything else as UTF-8 text. */
	private static String text(byte[] bytes) {
		if (bytes == null) {
			return null;
		}
		String text = new String(bytes, StandardCharsets.UTF_8);
		if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
			try {
				return JSON.readValue(text, String.class);
			}
			catch (java.io.IOException ex) {
				return text;
			}
		}
		return text;
	}

	private static <T> T get(KafkaFuture<T> future) {
		return get((Future<T>) future);
	}

	private static <T> T get(Future<T> future) {
		try {
			return future.get();
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		this.producer.close(Duration.ofSeconds(5));
		this.admin.close(Duration.ofSeconds(5));
	}

	@Override
	public List<String> unreadablePayloadFailure(String serviceFqcn, String serviceMessage) {
		return List.of("java\\.lang\\.IllegalArgumentException", "Unknown type for contentType header value");
	}

}
