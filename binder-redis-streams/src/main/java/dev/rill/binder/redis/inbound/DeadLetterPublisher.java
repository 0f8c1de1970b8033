package dev.rill.binder.redis.inbound;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.rill.binder.redis.RedisStreamsHeaders;
import dev.rill.binder.redis.codec.StreamEntryEncoder;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.support.ErrorMessage;

/**
 * Subscribed to a consumer binding's error channel when {@code enable-dlq} is on: writes
 * the failed entry to the dead-letter stream with its original payload and headers, plus
 * headers naming the failure ({@code x-exception-*}) and the entry's origin
 * ({@code x-original-*}, {@code x-delivery-count}, {@code x-failed-at}).
 * <p>
 * The write is synchronous: only when Redis confirmed the dead letter does this handler
 * return, and only then is the original entry acknowledged. If the write fails the
 * exception propagates, the original stays pending and is delivered again: an entry is
 * never acknowledged without being either processed or dead-lettered.
 */
public class DeadLetterPublisher implements MessageHandler {

	private static final Log logger = LogFactory.getLog(DeadLetterPublisher.class);

	/** Stack traces are cut to this many characters, to keep dead letters small. */
	private static final int MAX_STACKTRACE_LENGTH = 8 * 1024;

	private final ReactiveRedisConnectionFactory connectionFactory;

	private final String deadLetterKey;

	private final Duration writeTimeout;

	private final StreamEntryEncoder encoder = new StreamEntryEncoder();

	private final ConsumerBindingListener listener;

	/**
	 * @param connectionFactory the application's (Lettuce) connection factory
	 * @param deadLetterKey the key of the dead-letter stream
	 * @param writeTimeout how long to wait for Redis to confirm a dead letter
	 * @param listener told about every dead letter written
	 */
	public DeadLetterPublisher(ReactiveRedisConnectionFactory connectionFactory, String deadLetterKey,
			Duration writeTimeout, ConsumerBindingListener listener) {
		this.connectionFactory = connectionFactory;
		this.deadLetterKey = deadLetterKey;
		this.writeTimeout = writeTimeout;
		this.listener = listener;
	}

	@Override
	public void handleMessage(Message<?> message) throws MessagingException {
		ErrorMessage error = (ErrorMessage) message;
		Message<?> failed = error.getOriginalMessage();
		if (failed == null && error.getPayload() instanceof MessagingException messagingException) {
			failed = messagingException.getFailedMessage();
		}
		if (failed == null) {
			throw new MessagingException(message, "Cannot dead-letter: the error message carries no failed message",
					error.getPayload());
		}
		for (Message<?> entry : entriesOf(failed)) {
			publish(entry, error.getPayload());
		}
	}

	/** A batch message is dead-lettered as the entries it was made of. */
	@SuppressWarnings("unchecked")
	private static List<Message<?>> entriesOf(Message<?> failed) {
		Object batchHeaders = failed.getHeaders().get(RedisStreamsHeaders.BATCH_HEADERS);
		if (!(batchHeaders instanceof List<?> headersList) || !(failed.getPayload() instanceof List<?> payloads)) {
			return List.of(failed);
		}
		return java.util.stream.IntStream.range(0, payloads.size())
			.<Message<?>>mapToObj(i -> MessageBuilder.withPayload(payloads.get(i))
				.copyHeaders((Map<String, Object>) headersList.get(i))
				.build())
			.toList();
	}

	private void publish(Message<?> failed, Throwable failure) {
		Map<ByteBuffer, ByteBuffer> fields = this.encoder.encode(failed);
		failureHeaders(failed, failure).forEach((name, value) -> fields.put(utf8(name), utf8(value)));
		try (ReactiveRedisConnection connection = this.connectionFactory.getReactiveConnection()) {
			RecordId id = connection.streamCommands()
				.xAdd(StreamRecords.newRecord().in(utf8(this.deadLetterKey)).ofBuffer(fields))
				.block(this.writeTimeout);
			this.listener.deadLettered();
			logger.warn("Dead-lettered entry " + failed.getHeaders().get(RedisStreamsHeaders.ENTRY_ID) + " of stream '"
					+ failed.getHeaders().get(RedisStreamsHeaders.STREAM) + "' for group '"
					+ failed.getHeaders().get(RedisStreamsHeaders.GROUP) + "' to '" + this.deadLetterKey + "' as "
					+ id + ": " + NestedExceptionUtils.getMostSpecificCause(failure));
		}
	}

	private static Map<String, String> failureHeaders(Message<?> failed, Throwable failure) {
		Throwable cause = NestedExceptionUtils.getMostSpecificCause(failure);
		Map<String, String> headers = new HashMap<>();
		headers.put(RedisStreamsHeaders.EXCEPTION_FQCN, cause.getClass().getName());
		headers.put(RedisStreamsHeaders.EXCEPTION_MESSAGE, String.valueOf(cause.getMessage()));
		headers.put(RedisStreamsHeaders.EXCEPTION_STACKTRACE, boundedStackTrace(failure));
		headers.put(RedisStreamsHeaders.FAILED_AT, Instant.now().toString());
		copy(failed, RedisStreamsHeaders.STREAM, headers, RedisStreamsHeaders.ORIGINAL_STREAM);
		copy(failed, RedisStreamsHeaders.ENTRY_ID, headers, RedisStreamsHeaders.ORIGINAL_ENTRY_ID);
		copy(failed, RedisStreamsHeaders.GROUP, headers, RedisStreamsHeaders.ORIGINAL_GROUP);
		copy(failed, RedisStreamsHeaders.DELIVERY_COUNT, headers, RedisStreamsHeaders.DELIVERY_COUNT_AT_FAILURE);
		return headers;
	}

	private static void copy(Message<?> from, String header, Map<String, String> to, String name) {
		Object value = from.getHeaders().get(header);
		if (value != null) {
			to.put(name, value.toString());
		}
	}

	private static String boundedStackTrace(Throwable failure) {
		StringWriter trace = new StringWriter();
		failure.printStackTrace(new PrintWriter(trace));
		return (trace.getBuffer().length() > MAX_STACKTRACE_LENGTH)
				? trace.getBuffer().substring(0, MAX_STACKTRACE_LENGTH) + "\n\t... (cut)" : trace.toString();
	}

	private static ByteBuffer utf8(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

}
