package dev.rill.inventory.events;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

import org.springframework.integration.config.GlobalChannelInterceptor;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.stereotype.Component;

/**
 * Refuses an event whose payload is a JSON array on the consumer binding, before Spring Cloud
 * Function sees it.
 * <p>
 * Spring Cloud Function 4.3 ({@code FunctionInvocationWrapper.fluxifyInputIfNecessary}) takes a
 * JSON-array payload for a function whose input is not a collection as a batch: it splits it into
 * one message per element and returns a {@code Flux} of the function's answers, which the
 * imperative binding never subscribes to. {@code reserveStock} would not run at all; the binding
 * would hand the {@code Flux} itself to the {@code stock} producer, whose failure ("writes byte[]
 * or String payloads, got FluxMapFuseable") names neither the event nor the cause (Spring's test
 * binder gave no answer and no error at all). An event
 * is one JSON object, so an array is unreadable: {@link UnreadableEventException}, not retried,
 * dead-lettered at the first attempt with this reason.
 */
@Component
@GlobalChannelInterceptor(patterns = "reserveStock-in-0")
public class JsonArrayPayloadGuard implements ChannelInterceptor {

	@Override
	public Message<?> preSend(Message<?> message, MessageChannel channel) {
		Object payload = message.getPayload();
		if (isJsonArray(payload)) {
			String type = EventHeaders.text(message.getHeaders().get(EventHeaders.EVENT_TYPE));
			throw new UnreadableEventException((type != null) ? type : "event", payload,
					"a JSON array, but an event is one JSON object");
		}
		return message;
	}

	/**
	 * Whether Spring Cloud Function could take the payload for a batch: a collection, or text
	 * whose first character after JSON whitespace opens an array. A superset of its own test (a
	 * complete JSON array), so that a broken array is refused with the same reason.
	 */
	static boolean isJsonArray(Object payload) {
		if (payload instanceof Collection<?>) {
			return true;
		}
		String text = (payload instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8)
				: (payload instanceof CharSequence chars) ? chars.toString() : null;
		return text != null && text.stripLeading().startsWith("[");
	}

}
