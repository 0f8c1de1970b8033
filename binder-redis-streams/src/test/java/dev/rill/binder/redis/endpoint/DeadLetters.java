package dev.rill.binder.redis.endpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dead letters as {@code DeadLetterPublisher} writes them, for tests that need a
 * dead-letter stream without failing a handler first.
 */
final class DeadLetters {

	private DeadLetters() {
	}

	/**
	 * @return the {@code XADD} command of a dead letter with id {@code id} in {@code dlq}
	 * whose entry came from {@code originalStream}, with headers {@code contentType},
	 * {@code orderId} and {@code attempt} (an {@code int} header)
	 */
	static String[] xadd(String dlq, String id, String originalStream, String payload) {
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put("payload", payload);
		fields.put("contentType", "text/plain");
		fields.put("orderId", "o-" + id);
		fields.put("attempt", "2");
		fields.put("rill_headerTypes", "attempt:int");
		fields.put("x-exception-fqcn", "java.lang.IllegalStateException");
		fields.put("x-exception-message", "cannot handle " + payload);
		fields.put("x-exception-stacktrace", "java.lang.IllegalStateException: cannot handle\n\tat somewhere");
		fields.put("x-failed-at", "2026-01-01T00:00:00Z");
		fields.put("x-original-stream", originalStream);
		fields.put("x-original-entry-id", id);
		fields.put("x-original-group", "workers");
		fields.put("x-delivery-count", "3");
		List<String> command = new ArrayList<>(List.of("XADD", dlq, id));
		fields.forEach((name, value) -> {
			command.add(name);
			command.add(value);
		});
		return command.toArray(String[]::new);
	}

}
