package dev.rill.binder.redis.inbound;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.rill.binder.redis.RedisStreamsHeaders;

import org.springframework.cloud.stream.binder.RequeueCurrentMessageException;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.integration.IntegrationMessageHeaderAccessor;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.support.ErrorMessage;

/**
 * The dead-letter handler of a polled consumer binding: writes the failed entry with a
 * {@link DeadLetterPublisher}, and when that fails throws
 * {@link RequeueCurrentMessageException}, which makes Spring Cloud Stream's polled source
 * requeue the entry instead of acknowledging it: an entry is never acknowledged without
 * being processed or dead-lettered.
 * <p>
 * The dead letter holds the entry as it was read (the message's
 * {@code IntegrationMessageHeaderAccessor.SOURCE_DATA}), not the message the handler was
 * given, whose payload {@code poll(handler, type)} may have converted to an object.
 */
public class PolledDeadLetterHandler implements MessageHandler {

	private static final Log logger = LogFactory.getLog(PolledDeadLetterHandler.class);

	private final MessageHandler deadLetterPublisher;

	/**
	 * @param deadLetterPublisher writes dead letters, throwing when it cannot
	 */
	public PolledDeadLetterHandler(MessageHandler deadLetterPublisher) {
		this.deadLetterPublisher = deadLetterPublisher;
	}

	@Override
	public void handleMessage(Message<?> message) throws MessagingException {
		ErrorMessage error = asEntryAsRead((ErrorMessage) message);
		try {
			this.deadLetterPublisher.handleMessage(error);
		}
		catch (RuntimeException ex) {
			Message<?> failed = error.getOriginalMessage();
			String entry = (failed != null) ? "entry " + failed.getHeaders().get(RedisStreamsHeaders.ENTRY_ID)
					+ " of stream '" + failed.getHeaders().get(RedisStreamsHeaders.STREAM) + "'" : "an entry";
			logger.error("Could not dead-letter " + entry + " (" + NestedExceptionUtils.getMostSpecificCause(ex)
					+ "); leaving it pending, it will be delivered again", ex);
			throw new RequeueCurrentMessageException("Could not dead-letter " + entry, ex);
		}
	}

	private static ErrorMessage asEntryAsRead(ErrorMessage error) {
		Message<?> failed = error.getOriginalMessage();
		if (failed == null && error.getPayload() instanceof MessagingException messagingException) {
			failed = messagingException.getFailedMessage();
		}
		if (failed != null
				&& failed.getHeaders().get(IntegrationMessageHeaderAccessor.SOURCE_DATA) instanceof Message<?> read) {
			return new ErrorMessage(error.getPayload(), error.getHeaders(), read);
		}
		return error;
	}

}
