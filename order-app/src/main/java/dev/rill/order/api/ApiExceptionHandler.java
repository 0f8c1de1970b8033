package dev.rill.order.api;

import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.rill.order.placement.OrderNotPlacedException;
import dev.rill.order.placement.OrderOutcomeUnknownException;
import dev.rill.order.placement.PlacementInFlightException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every failure of the HTTP API into {@code application/problem+json}. Bad input is
 * answered with a 400 that lists every invalid field ({@code errors: [{field, message}]}), so a
 * client can fix all of them at once; the body the client sent is never echoed.
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

	/** How long a client should wait before retrying after a 409 or 503, in seconds. */
	private static final String RETRY_AFTER_SECONDS = "1";

	@Override
	protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		List<Map<String, String>> errors = ex.getBindingResult()
			.getFieldErrors()
			.stream()
			.sorted(Comparator.comparing(FieldError::getField)
				.thenComparing(error -> String.valueOf(error.getDefaultMessage())))
			.map(error -> fieldError(error.getField(), String.valueOf(error.getDefaultMessage())))
			.toList();
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
				errors.size() + " invalid field(s)");
		problem.setTitle("Invalid order");
		problem.setProperty("errors", errors);
		return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
	}

	@Override
	protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		RequestTooLargeException tooLarge = tooLarge(ex);
		if (tooLarge != null) {
			return handleExceptionInternal(ex, contentTooLarge(tooLarge), headers, HttpStatus.PAYLOAD_TOO_LARGE,
					request);
		}
		ProblemDetail problem = ProblemDetail.forStatus(HttpStatus.BAD_REQUEST);
		problem.setTitle("Unreadable request body");
		Throwable cause = ex.getMostSpecificCause();
		if (cause instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
			problem.setDetail("1 invalid field(s)");
			problem.setProperty("errors", List.of(fieldError(path(mapping), expected(mapping))));
		}
		else if (cause instanceof MismatchedInputException trailing && isTrailingContent(trailing)) {
			problem.setDetail("More content after the JSON order: send one order per request");
		}
		else if (cause instanceof StreamReadException parse) {
			JsonLocation at = parse.getLocation();
			problem.setDetail((at != null) ? "Malformed JSON at line " + at.getLineNr() + ", column "
					+ at.getColumnNr() : "Malformed JSON");
		}
		else if (ex.getMessage() != null && ex.getMessage().startsWith("Required request body is missing")) {
			problem.setDetail("The request body is missing");
		}
		else {
			problem.setDetail("The request body is not a JSON order");
		}
		log.debug("Unreadable request body", ex);
		return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
	}

	private static RequestTooLargeException tooLarge(HttpMessageNotReadableException ex) {
		for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
			if (cause instanceof RequestTooLargeException tooLarge) {
				return tooLarge;
			}
		}
		return null;
	}

	private static ProblemDetail contentTooLarge(RequestTooLargeException ex) {
		log.debug("Request body refused: {}", ex.getMessage());
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.PAYLOAD_TOO_LARGE,
				"The request body is larger than " + ex.getLimit() + " bytes (rill.order.max-request-size)");
		problem.setTitle("Content Too Large");
		problem.setProperty("limit", ex.getLimit());
		return problem;
	}

	/**
	 * @param ex an invalid header
	 * @return 400 naming the header
	 */
	@ExceptionHandler
	ProblemDetail invalidHeader(InvalidHeaderException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "1 invalid header");
		problem.setTitle("Invalid header");
		problem.setProperty("errors", List.of(fieldError(ex.getHeader(), ex.getMessage())));
		return problem;
	}

	/**
	 * @param ex an unknown order
	 * @return 404
	 */
	@ExceptionHandler
	ProblemDetail notFound(OrderNotFoundException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No such order");
		problem.setTitle("Order not found");
		return problem;
	}

	/**
	 * @param ex the event of the order was not confirmed
	 * @return 503: nothing was placed, retry
	 */
	@ExceptionHandler
	ResponseEntity<ProblemDetail> notPlaced(OrderNotPlacedException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
				"The order could not be handed to the message broker and was not placed. "
						+ "Retry later, with the same Idempotency-Key if you sent one.");
		problem.setTitle("Order not placed");
		return retryLater(HttpStatus.SERVICE_UNAVAILABLE, problem);
	}

	/**
	 * @param ex the event of the order was not confirmed in time: it may or may not be written
	 * @return 503 naming the order, telling how to learn its outcome
	 */
	@ExceptionHandler
	ResponseEntity<ProblemDetail> outcomeUnknown(OrderOutcomeUnknownException ex) {
		String detail = "The message broker did not confirm the order in time: it may or may not have been placed. "
				+ (ex.isRetryable()
						? "Retry with the same Idempotency-Key: that finishes this order and never places a second one."
						: "GET its Location to follow it; send an Idempotency-Key to be able to retry such a request "
								+ "safely.");
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, detail);
		problem.setTitle("Order outcome unknown");
		problem.setProperty("orderId", ex.getOrderId());
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
			.location(URI.create("/orders/" + ex.getOrderId()))
			.body(problem);
	}

	/**
	 * @param ex another request with the same key is in flight
	 * @return 409: retry shortly to learn its outcome
	 */
	@ExceptionHandler
	ResponseEntity<ProblemDetail> inFlight(PlacementInFlightException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
				"An order with this Idempotency-Key is still being placed. Retry shortly to get its outcome.");
		problem.setTitle("Placement in progress");
		return retryLater(HttpStatus.CONFLICT, problem);
	}

	/**
	 * @param ex Redis (the read model, the idempotency keys) failed
	 * @return 503
	 */
	@ExceptionHandler
	ResponseEntity<ProblemDetail> storeUnavailable(DataAccessException ex) {
		log.warn("Order store unavailable: {}", ex.getMessage());
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
				"The order store is unavailable. Retry later, with the same Idempotency-Key if you sent one.");
		problem.setTitle("Store unavailable");
		return retryLater(HttpStatus.SERVICE_UNAVAILABLE, problem);
	}

	/**
	 * @param ex anything else
	 * @return 500 without details (they are in the log, not for the client)
	 */
	@ExceptionHandler
	ProblemDetail unexpected(Exception ex) {
		log.error("Request failed", ex);
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
				"The request failed unexpectedly.");
		problem.setTitle("Internal error");
		return problem;
	}

	private static ResponseEntity<ProblemDetail> retryLater(HttpStatus status, ProblemDetail problem) {
		return ResponseEntity.status(status).header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS).body(problem);
	}

	private static Map<String, String> fieldError(String field, String message) {
		return Map.of("field", field, "message", message);
	}

	/** The JSON path of a mapping failure as the validation errors name fields: {@code items[0].quantity}. */
	private static String path(JsonMappingException ex) {
		StringBuilder path = new StringBuilder();
		for (JsonMappingException.Reference reference : ex.getPath()) {
			if (reference.getFieldName() != null) {
				if (!path.isEmpty()) {
					path.append('.');
				}
				path.append(reference.getFieldName());
			}
			else if (reference.getIndex() >= 0) {
				path.append('[').append(reference.getIndex()).append(']');
			}
		}
		return path.toString();
	}

	/** Jackson's FAIL_ON_TRAILING_TOKENS (config/application.yml) names itself only in its message. */
	private static boolean isTrailingContent(MismatchedInputException ex) {
		return ex.getOriginalMessage() != null && ex.getOriginalMessage().startsWith("Trailing token");
	}

	private static String expected(JsonMappingException ex) {
		if (ex instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
			Class<?> type = mismatch.getTargetType();
			if (type == String.class) {
				return "must be a string";
			}
			if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
				return "must be an integer";
			}
			if (List.class.isAssignableFrom(type) || type.isArray()) {
				return "must be an array";
			}
			return "must be an object";
		}
		return "has an invalid value";
	}

}
