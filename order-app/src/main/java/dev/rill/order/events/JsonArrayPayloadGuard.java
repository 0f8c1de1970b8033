package dev.rill.order.events;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

import org.springframework.integration.config.GlobalChannelInterceptor;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.stereotype.Component;

/**
 * Refuses, on the bindings of {@code confirmOrder} and {@code projectOrder}, an event whose
 * payload is a JSON array, before Spring Cloud Function sees it.
 * <p>
 * Spring Cloud Function 4.3 ({@code FunctionInvocationWrapper.fluxifyInputIfNecessary}) takes a
 * JSON-array payload for a function whose input is not a collection as a batch of inputs: it
 * splits it into one message per element and invokes the function lazily, in a {@code Flux} that
 * the imperative binding never subscribes to. {@code confirmOrder} would not run; its binding would
 * hand that {@code Flux} to the {@code order-status} producer, which fails with a conversion error
 * that names neither the event nor the cause. A consumer is spared the split, unless the message
 * carries a {@code user-agent} header (any entry field becomes a header): then
 * {@code projectOrder} would not run either, and the entry would be acknowledged without a trace.
 * An event is one JSON object, so an array is unreadable: {@link UnreadableEventException}, not
 * retried, dead-lettered at the first attempt with this reason.
 */
@Component
@GlobalChannelInterceptor(patterns = { "confirmOrder-in-0", "projectOrder-in-0" })
public class JsonArrayPayloadGuard implements ChannelInterceptor {

	@Override
	public Message<?> preSend(Message<?> message, MessageChannel channel) {
		if (isJsonArray(message.getPayload())) {
			String type = EventHeaders.text(message.getHeaders().get(EventHeaders.EVENT_TYPE));
			throw new UnreadableEventException(type != null ? type : "event", message.getPayload(),
					"a JSON array, but an event is one JSON object");
		}
		return message;
	}

	/**
	 * A collection, or text that opens a JSON array after leading whitespace: a superset of what
	 * Spring Cloud Function splits (a complete JSON array), so a truncated array gets this reason too.
	 */
	static boolean isJsonArray(Object payload) {
		if (payload instanceof Collection<?>) {
			return true;
		}
		if (payload instanceof byte[] bytes) {
			return new String(bytes, StandardCharsets.UTF_8).stripLeading().startsWith("[");
		}
		return payload instanceof CharSequence text && text.toString().stripLeading().startsWith("[");
	}

}
