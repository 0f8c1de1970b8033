package dev.rill.e2e.faults;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the fault tests need from the transport that carries the saga's events, so that the
 * same oracle and scenarios run on either binder: the Redis streams ({@link RedisEventLog}) or
 * the Kafka topics ({@link KafkaEventLog}). Stream and group names are the saga's
 * ({@link FaultOracle#GROUPS}); an event's fields are its payload (field {@code payload}) and its
 * headers ({@code eventType}, {@code orderId}, {@code correlationId}...), as text.
 */
interface EventLog extends AutoCloseable {

	/**
	 * @return where every saga stream ends now, to read what is added after it
	 */
	Mark mark();

	/**
	 * Whether every group of the saga has been handed every event and acknowledged it (Redis:
	 * nothing pending, last delivered id at the end of the stream; Kafka: committed offset at
	 * the end of every partition). Checked upstream first: a handler sends its event before it
	 * acknowledges its input, so an input acknowledged upstream before its stream was looked at
	 * has its answer downstream before the next stream is looked at.
	 * @return whether the saga is drained
	 */
	default boolean drained() {
		return unacknowledged().values().stream().allMatch(count -> count == 0);
	}

	/**
	 * @return the saga's streams and the groups reading them, upstream first
	 */
	Map<String, List<String>> groups();

	/**
	 * @param stream a saga stream
	 * @param group one of its groups
	 * @return how many of the stream's events the group has not acknowledged (Redis: its pending
	 * count; Kafka: its lag, end offset minus committed offset)
	 */
	long unacknowledged(String stream, String group);

	/**
	 * @return {@link #unacknowledged(String, String)} of every group, e.g. {@code orders/inventory=0}
	 */
	default Map<String, Long> unacknowledged() {
		Map<String, Long> counts = new LinkedHashMap<>();
		groups().forEach((stream, names) -> names.forEach(group -> counts.put(stream + "/" + group,
				unacknowledged(stream, group))));
		return counts;
	}

	/**
	 * @return what {@link #unacknowledged()} counts, for the printed line: {@code pending} or {@code lag}
	 */
	String unacknowledgedName();

	/**
	 * @return per dead-letter stream or topic of the saga, how many dead letters it holds
	 */
	Map<String, Long> deadLetters();

	/**
	 * @param stream a saga stream
	 * @param group one of its groups
	 * @return where that group's dead letters go ({@code orders.inventory.dlq}, {@code error.orders.inventory})
	 */
	String deadLetterName(String stream, String group);

	/**
	 * Add an event as any tool could, bypassing the services (a raw {@code XADD}, a raw Kafka record).
	 * @param stream where
	 * @param fields {@code payload} and the headers, in order
	 * @return the id of the event ({@code <ms>-<n>} in Redis, {@code <partition>-<offset>} in Kafka)
	 */
	String add(String stream, Map<String, String> fields);

	/**
	 * @param stream the stream the event was added to
	 * @param group the group that should have dead-lettered it
	 * @param id the event's id ({@link #add})
	 * @return its dead letter, when there is one
	 */
	Optional<DeadLetter> deadLetter(String stream, String group, String id);

	/**
	 * Send a dead letter back to the stream it came from, as an operator would after fixing what
	 * was wrong with it: its payload and headers, without the dead-letter headers, with the given
	 * fields changed.
	 * @param deadLetter the dead letter
	 * @param changes fields to set ({@code payload} or headers)
	 * @return the id of the event added
	 */
	String replay(DeadLetter deadLetter, Map<String, String> changes);

	/** Where every saga stream ended at one moment. */
	interface Mark {

		/**
		 * @param stream a saga stream
		 * @return every event added to it since the mark, oldest first
		 */
		List<Event> eventsSince(String stream);

	}

	/**
	 * An event in a stream.
	 * @param id its id
	 * @param fields {@code payload} and its headers
	 */
	record Event(String id, Map<String, String> fields) {

		String field(String name) {
			return this.fields.get(name);
		}

	}

	/**
	 * A dead letter, in the terms both binders share.
	 * @param fields the original {@code payload} and headers, without the dead-letter headers
	 * @param originalStream where the event was
	 * @param originalId its id there
	 * @param originalTime when it was added there
	 * @param group the group that dead-lettered it, when the binder says (Redis)
	 * @param deliveryCount how often it was delivered, when the binder says (Redis)
	 * @param exceptionFqcn the exception's class
	 * @param exceptionMessage its message
	 * @param stacktrace its stack trace
	 * @param failedAt when it was dead-lettered
	 */
	record DeadLetter(Map<String, String> fields, String originalStream, String originalId, Instant originalTime,
			String group, String deliveryCount, String exceptionFqcn, String exceptionMessage, String stacktrace,
			Instant failedAt) {

		String field(String name) {
			return this.fields.get(name);
		}

		/**
		 * Whether the handler's failure was this exception: the one the dead letter names (the
		 * Redis binder names the handler's own), or the cause of the one it names (the Kafka binder
		 * names Spring's {@code MessageHandlingException}; the handler's is its cause, in the
		 * stack trace).
		 * @param fqcn the exception's class, a regular expression
		 * @param message what its message contains
		 * @return whether it names it
		 */
		boolean names(String fqcn, String message) {
			if (this.exceptionFqcn.matches(fqcn)) {
				return this.exceptionMessage.contains(message);
			}
			return this.stacktrace.lines()
				.anyMatch(line -> line.matches("Caused by: (" + fqcn + "): .*") && line.contains(message));
		}

	}

	/**
	 * What the services refuse an event whose payload is not JSON with. On Redis the payload
	 * reaches the function unconverted, which throws the service's own exception; a raw Kafka
	 * record's bare-text {@code contentType} header is a {@code byte[]}, which Spring Cloud
	 * Stream refuses before the function sees the payload.
	 * @param serviceFqcn the service's exception, a regular expression
	 * @param serviceMessage what its message contains
	 * @return the exception (a regular expression) and what its message contains
	 */
	default List<String> unreadablePayloadFailure(String serviceFqcn, String serviceMessage) {
		return List.of(serviceFqcn, serviceMessage);
	}

	/**
	 * Close the log's own connections to the transport, if it has any (the Redis one has none of its
	 * own; the Kafka one has a producer and an admin client).
	 */
	@Override
	default void close() {
	}

}
