package dev.rill.inventory.api;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Errors as {@code application/problem+json} (Spring's {@link ProblemDetail}). Invalid
 * request bodies, whether they break Bean Validation or are not readable JSON of the
 * right shape, answer {@code 400} with an {@code errors} list naming every bad field:
 * {@code [{"field":"available","message":"must be greater than or equal to 0"}]}.
 * <p>
 * Being a {@link ResponseEntityExceptionHandler}, it replaces the one Spring Boot registers
 * for {@code spring.mvc.problemdetails.enabled} and keeps its handling of every other
 * Spring MVC exception.
 */
@RestControllerAdvice
public class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

	/** Name of the problem property that lists the invalid fields. */
	public static final String ERRORS = "errors";

	@Override
	protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		List<FieldError> errors = new ArrayList<>();
		ex.getFieldErrors().forEach((error) -> errors.add(new FieldError(error.getField(), error.getDefaultMessage())));
		ex.getGlobalErrors()
			.forEach((error) -> errors.add(new FieldError(error.getObjectName(), error.getDefaultMessage())));
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, "Invalid request content: "
				+ errors.stream().map(FieldError::field).distinct().collect(Collectors.joining(", ")));
		problem.setTitle("Invalid request");
		problem.setProperty(ERRORS, errors);
		return handleExceptionInternal(ex, problem, headers, status, request);
	}

	@Override
	protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		FieldError error = describe(ex);
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, "Unreadable request body: " + error.message());
		problem.setTitle("Invalid request");
		problem.setProperty(ERRORS, List.of(error));
		return handleExceptionInternal(ex, problem, headers, status, request);
	}

	/**
	 * Jackson stops at the first problem, so an unreadable body names one field: the one
	 * Jackson was reading, or {@code body} when the JSON itself is broken or missing.
	 */
	private static FieldError describe(HttpMessageNotReadableException ex) {
		Throwable cause = ex.getMostSpecificCause();
		if (cause instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
			String field = path(mapping);
			if (cause instanceof UnrecognizedPropertyException) {
				return new FieldError(field, "unknown field");
			}
			if (cause instanceof MismatchedInputException mismatch) {
				Class<?> target = mismatch.getTargetType();
				return new FieldError(field,
						"must be " + ((target != null) ? describe(target) : "of another type"));
			}
			return new FieldError(field, "invalid value");
		}
		if (cause instanceof JsonProcessingException json) {
			return new FieldError("body", "malformed JSON: " + json.getOriginalMessage());
		}
		return new FieldError("body", "required, a JSON object");
	}

	private static String path(JsonMappingException mapping) {
		StringBuilder path = new StringBuilder();
		for (JsonMappingException.Reference reference : mapping.getPath()) {
			if (reference.getFieldName() != null) {
				path.append(path.isEmpty() ? "" : ".").append(reference.getFieldName());
			}
			else if (reference.getIndex() >= 0) {
				path.append('[').append(reference.getIndex()).append(']');
			}
		}
		return path.toString();
	}

	private static String describe(Class<?> type) {
		if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
			return "a whole number";
		}
		if (type == String.class) {
			return "a string";
		}
		return "a " + type.getSimpleName();
	}

	/**
	 * One invalid field of a request.
	 *
	 * @param field the field's name (a path for nested fields), or {@code body}
	 * @param message what is wrong with it
	 */
	public record FieldError(String field, String message) {

	}

}
