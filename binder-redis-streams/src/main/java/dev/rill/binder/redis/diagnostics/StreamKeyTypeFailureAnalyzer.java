package dev.rill.binder.redis.diagnostics;

import dev.rill.binder.redis.provisioning.StreamKeyTypeException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a start that failed because a destination's Redis key holds something other
 * than a stream ({@link StreamKeyTypeException}), and what to do about it.
 */
public class StreamKeyTypeFailureAnalyzer extends AbstractFailureAnalyzer<StreamKeyTypeException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, StreamKeyTypeException cause) {
		String binding = cause.getBindingName();
		String use = (binding != null) ? "for binding '" + binding + "', whose destination ("
				+ StreamKeyTypeException.destinationProperty(binding) + ") maps to that key" : "as a stream";
		String description = "The Redis key '" + cause.getKey() + "' holds a " + cause.getType()
				+ ", not a stream, so the Redis Streams binder cannot use it " + use
				+ ". The binder never overwrites a key that is not a stream.";
		String destination = (binding != null) ? StreamKeyTypeException.destinationProperty(binding)
				: "spring.cloud.stream.bindings.<binding>.destination";
		String action = "Do one of the following:\n" + "\t- choose another destination with " + destination + "\n"
				+ "\t- set spring.cloud.stream.redis.binder.key-prefix (for example 'rill:') so that the binder's "
				+ "stream keys do not collide with the application's other keys\n"
				+ "\t- delete the key if nothing needs it any more: redis-cli DEL " + cause.getKey();
		return new FailureAnalysis(description, action, cause);
	}

}
