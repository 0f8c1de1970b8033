package dev.rill.notification.channel;

import java.net.URI;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import dev.rill.notification.events.OrderStatus;
import dev.rill.notification.notify.Notice;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.client.MockRestServiceServer;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.springframework.test.web.client.match.MockRestRequestMatchers.content;
import static org.springframework.test.web.client.match.MockRestRequestMatchers.header;
import static org.springframework.test.web.client.match.MockRestRequestMatchers.method;
import static org.springframework.test.web.client.match.MockRestRequestMatchers.requestTo;
import static org.springframework.test.web.client.response.MockRestResponseCreators.withStatus;

/**
 * {@link WebhookChannel}: the request it posts, and which answers are refusals and which
 * are outages.
 */
class WebhookChannelTests {

	private static final URI URL = URI.create("https://hooks.example.com/orders");

	private MockRestServiceServer server;

	private WebhookChannel channel;

	@BeforeEach
	void setUp() {
		RestClient.Builder builder = RestClient.builder();
		this.server = MockRestServiceServer.bindTo(builder).build();
		this.channel = new WebhookChannel(builder.build(), URL);
	}

	@AfterEach
	void clearMdc() {
		MDC.clear();
	}

	@Test
	void postsTheNoticeAsJsonWithIdempotencyKeyAndCorrelationId() {
		MDC.put("correlationId", "corr-1");
		this.server.expect(requestTo(URL))
			.andExpect(method(HttpMethod.POST))
			.andExpect(content().contentType(MediaType.APPLICATION_JSON))
			.andExpect(header("Idempotency-Key", "o-1:REJECTED"))
			.andExpect(header("X-Correlation-Id", "corr-1"))
			.andExpect(content().json("""
					{"orderId":"o-1","status":"REJECTED","reason":"out of stock","customerId":"c-7",
					 "email":"ann@example.com","occurredAt":"2024-05-01T10:00:00Z"}""", true))
			.andRespond(withStatus(HttpStatus.NO_CONTENT));

		assertThatNoException().isThrownBy(() -> this.channel.send(notice()));
		this.server.verify();
	}

	@Test
	void unprocessableIsARefusal() {
		this.server.expect(requestTo(URL)).andRespond(withStatus(HttpStatus.UNPROCESSABLE_ENTITY));

		assertThatExceptionOfType(NotificationRejectedException.class).isThrownBy(() -> this.channel.send(notice()))
			.withMessageContaining("422");
	}

	@Test
	void serverErrorsAreOutages() {
		this.server.expect(requestTo(URL)).andRespond(withStatus(HttpStatus.SERVICE_UNAVAILABLE));

		assertThatExceptionOfType(HttpServerErrorException.class).isThrownBy(() -> this.channel.send(notice()));
	}

	@Test
	void notFoundIsAnOutageNotARefusal() {
		// A wrong URL or a receiver being redeployed: every notice would fail the same way, so
		// the breaker should open and the binding wait, rather than dead-letter everything.
		this.server.expect(requestTo(URL)).andRespond(withStatus(HttpStatus.NOT_FOUND));

		assertThatExceptionOfType(HttpClientErrorException.class).isThrownBy(() -> this.channel.send(notice()))
			.isNotInstanceOf(NotificationRejectedException.class);
	}

	private static Notice notice() {
		return new Notice(UUID.randomUUID(), "o-1", "c-7", "ann@example.com", OrderStatus.REJECTED, "out of stock",
				Instant.parse("2024-05-01T10:00:00Z"));
	}

}
