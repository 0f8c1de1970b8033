package dev.rill.notification.events;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

import org.springframework.integration.config.GlobalChannelInterceptor;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.stereotype.Component;

/**
 * Refuses, on the {@code notify} binding, an event whose payload is a JSON array, before Spring
 * Cloud Function sees it.
 * <p>
 * Spring Cloud Function 4.3 ({@code FunctionInvocationWrapper.fluxifyInputIfNecessary}) splits a
 * JSON-array payload into one input per element when the function does not read a collection,
 * and invokes the function lazily, in a publisher the imperative binding never subscribes to. A
 * consumer such as {@code notify} is spared that only while the message has no {@code user-agent}
 * header; an entry with such a field (any entry field becomes a header) would be acknowledged
 * without the consumer running, an error or a log line. An event is one JSON object, so an array
 * is unreadable: an {@link IllegalArgumentException}, which the binding does not retry, so it is
 * dead-lettered at once with this reason.
 */
@Component
@GlobalChannelInterceptor(patterns = "notify-in-0")
public class JsonArrayPayloadGuard implements ChannelInterceptor {

	@Override
	public Message<?> preSend(Message<?> message, MessageChannel channel) {
		Object payload = message.getPayload();
		if (payload instanceof Collection<?> || opensJsonArray(payload)) {
			throw new IllegalArgumentException("Unreadable order-status payload (" + size(payload)
					+ "): a JSON array, but an event is one JSON object");
		}
		return message;
	}

	/** Text that starts an array after whitespace: all Spring Cloud Function splits, and a truncated one. */
	static boolean opensJsonArray(Object payload) {
		String text = (payload instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8)
				: (payload instanceof CharSequence chars) ? chars.toString() : "";
		return text.stripLeading().startsWith("[");
	}

	private static String size(Object payload) {
		return (payload instanceof byte[] bytes) ? bytes.length + " bytes" : payload.getClass().getSimpleName();
	}

}
