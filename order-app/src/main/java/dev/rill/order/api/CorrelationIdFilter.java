package dev.rill.order.api;

import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.rill.order.logging.OrderLogContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every HTTP request a correlation id: the client's {@code X-Correlation-Id}, or a new
 * UUID. It is echoed in the response, put in the MDC for the request's log lines and handed on
 * to the events the request causes.
 * <p>
 * A client's id is taken only when it is a plain token (letters, digits, {@code . _ : -}, at
 * most 128 characters): it ends up in log lines and message headers of three services, where
 * line breaks or huge values would do harm. Anything else is replaced by a new id.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class CorrelationIdFilter extends OncePerRequestFilter {

	/** The request and response header. */
	public static final String HEADER = "X-Correlation-Id";

	private static final String ATTRIBUTE = CorrelationIdFilter.class.getName() + ".correlationId";

	private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

	/**
	 * @param request a request that passed this filter
	 * @return its correlation id
	 */
	public static String correlationId(HttpServletRequest request) {
		Object id = request.getAttribute(ATTRIBUTE);
		return (id != null) ? id.toString() : UUID.randomUUID().toString();
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String given = request.getHeader(HEADER);
		String id = (given != null && ACCEPTED.matcher(given).matches()) ? given : UUID.randomUUID().toString();
		request.setAttribute(ATTRIBUTE, id);
		response.setHeader(HEADER, id);
		try (OrderLogContext context = OrderLogContext.open(id, null)) {
			chain.doFilter(request, response);
		}
	}

}
