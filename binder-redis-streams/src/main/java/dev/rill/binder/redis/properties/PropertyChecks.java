package dev.rill.binder.redis.properties;

import java.time.Duration;

import org.springframework.validation.Errors;

/**
 * The value checks shared by the binder's self-validating property classes. A failed
 * check is recorded on the given {@link Errors} as a message that starts with the full
 * property name, as users write it, so that Spring Boot's startup failure report names it.
 * (Field errors cannot be used: Spring would try to navigate the read-only map of
 * bindings to resolve the field's type.)
 */
final class PropertyChecks {

	private PropertyChecks() {
	}

	static void positive(Errors errors, String property, Duration value) {
		if (value == null || value.isZero() || value.isNegative()) {
			reject(errors, property, "must be a positive duration, was " + value);
		}
	}

	static void notNegative(Errors errors, String property, Duration value) {
		if (value != null && value.isNegative()) {
			reject(errors, property, "must not be negative, was " + value);
		}
	}

	static void atLeast(Errors errors, String property, Number value, long minimum) {
		if (value != null && value.longValue() < minimum) {
			reject(errors, property, "must be at least " + minimum + ", was " + value);
		}
	}

	/**
	 * @param errors where the rejection is recorded
	 * @param property the full property name, for example
	 * {@code spring.cloud.stream.redis.bindings.input.consumer.read-count}
	 * @param reason what is wrong with its value
	 */
	static void reject(Errors errors, String property, String reason) {
		errors.reject("invalid", property + " " + reason);
	}

}
