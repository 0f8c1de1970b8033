package dev.rill.binder.redis.properties;

import java.time.Duration;

import org.springframework.validation.Errors;

/**
 * The value checks shared by the binder's self-validating property classes. Each check
 * rejects the named field on the given {@link Errors}, which Spring Boot reports with
 * the full property name, the offending value and where it was set.
 */
final class PropertyChecks {

	private PropertyChecks() {
	}

	static void positive(Errors errors, String field, Duration value) {
		if (value == null || value.isZero() || value.isNegative()) {
			errors.rejectValue(field, "positive", "must be a positive duration, was " + value);
		}
	}

	static void notNegative(Errors errors, String field, Duration value) {
		if (value != null && value.isNegative()) {
			errors.rejectValue(field, "notNegative", "must not be negative, was " + value);
		}
	}

	static void atLeast(Errors errors, String field, Number value, long minimum) {
		if (value != null && value.longValue() < minimum) {
			errors.rejectValue(field, "atLeast", "must be at least " + minimum + ", was " + value);
		}
	}

}
