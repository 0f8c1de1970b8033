package dev.rill.order.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import dev.rill.order.OrderProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Limits every request body to {@code rill.order.max-request-size}. Neither Tomcat nor Spring
 * limits a JSON body, and the message converter reads it whole into objects: without a limit a
 * well-formed order of a million item lines exhausts the heap before validation can refuse it.
 * The body's stream fails with {@link RequestTooLargeException} instead (413 by
 * {@link ApiExceptionHandler}): at once when {@code Content-Length} is over the limit, or when a
 * chunked body passes it while being read.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
public class RequestSizeLimitFilter extends OncePerRequestFilter {

	private final long limit;

	/**
	 * @param properties holds the limit
	 */
	public RequestSizeLimitFilter(OrderProperties properties) {
		this.limit = properties.maxRequestSize().toBytes();
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		chain.doFilter(new SizeLimitedRequest(request, this.limit), response);
	}

	/** The request with its body behind a {@link SizeLimitedInputStream}, for stream and reader alike. */
	private static final class SizeLimitedRequest extends HttpServletRequestWrapper {

		private final long limit;

		private ServletInputStream body;

		SizeLimitedRequest(HttpServletRequest request, long limit) {
			super(request);
			this.limit = limit;
		}

		@Override
		public ServletInputStream getInputStream() throws IOException {
			if (this.body == null) {
				this.body = new SizeLimitedInputStream(super.getInputStream(), this.limit, getContentLengthLong());
			}
			return this.body;
		}

		@Override
		public BufferedReader getReader() throws IOException {
			Charset charset = (getCharacterEncoding() != null) ? Charset.forName(getCharacterEncoding())
					: StandardCharsets.UTF_8;
			return new BufferedReader(new InputStreamReader(getInputStream(), charset));
		}

	}

}
