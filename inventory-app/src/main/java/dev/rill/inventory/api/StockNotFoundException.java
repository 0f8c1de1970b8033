package dev.rill.inventory.api;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A sku without a stock record: {@code 404} as {@code application/problem+json}.
 */
public class StockNotFoundException extends ErrorResponseException {

	public StockNotFoundException(String sku) {
		super(HttpStatus.NOT_FOUND, problem(sku), null);
	}

	private static ProblemDetail problem(String sku) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND,
				"No stock record for sku " + sku);
		problem.setTitle("Unknown sku");
		problem.setProperty("sku", sku);
		return problem;
	}

}
