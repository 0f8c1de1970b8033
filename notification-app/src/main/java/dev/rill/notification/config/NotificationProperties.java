package dev.rill.notification.config;

import java.net.URI;
import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of notification-app under {@code rill.notification.*}: which outbound channel
 * tells the customer, and how notifications are kept in Redis. The circuit breaker and
 * retry around the channel are configured under {@code resilience4j.*.instances.notificationChannel}.
 * Invalid values stop the application at startup with a message naming the property.
 */
@Validated
@ConfigurationProperties("rill.notification")
public class NotificationProperties {

	/**
	 * The outbound channel: {@code log}, {@code webhook} or {@code mail}. When unset,
	 * {@code webhook} if {@code rill.notification.webhook.url} is set, otherwise {@code log}.
	 */
	private ChannelType channel;

	/**
	 * Prefix of every Redis key this service writes (sent markers and per-order lists).
	 */
	@NotBlank
	private String keyPrefix = "notification:";

	/**
	 * How long sent markers and per-order notification lists stay in Redis. A redelivery of
	 * an event older than this would notify again, so keep it well above any redelivery
	 * delay (dead-letter replays included).
	 */
	@NotNull
	@DurationMin(minutes = 1)
	private Duration retention = Duration.ofDays(30);

	/**
	 * How long a notification waits before its next round of attempts when the breaker did
	 * not change state: after all retries of a round failed while the breaker stayed closed,
	 * or after a half-open breaker refused it because its trial calls were taken. (While the
	 * breaker is open, a notification waits for it to let calls through.)
	 */
	@NotNull
	@DurationMin(millis = 10)
	private Duration retryRoundPause = Duration.ofSeconds(2);

	/**
	 * The webhook channel.
	 */
	@Valid
	private final Webhook webhook = new Webhook();

	/**
	 * The mail channel (the SMTP server itself is configured under {@code spring.mail.*}).
	 */
	@Valid
	private final Mail mail = new Mail();

	public ChannelType getChannel() {
		return this.channel;
	}

	public void setChannel(ChannelType channel) {
		this.channel = channel;
	}

	/**
	 * @return the channel in use, after applying the default
	 */
	public ChannelType effectiveChannel() {
		if (this.channel != null) {
			return this.channel;
		}
		return (this.webhook.getUrl() != null) ? ChannelType.WEBHOOK : ChannelType.LOG;
	}

	/**
	 * @return whether a webhook URL is set when the webhook channel is chosen
	 */
	@AssertTrue(message = "rill.notification.webhook.url must be set when rill.notification.channel is webhook")
	public boolean isWebhookUrlGivenForWebhookChannel() {
		return this.channel != ChannelType.WEBHOOK || this.webhook.getUrl() != null;
	}

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public Duration getRetention() {
		return this.retention;
	}

	public void setRetention(Duration retention) {
		this.retention = retention;
	}

	public Duration getRetryRoundPause() {
		return this.retryRoundPause;
	}

	public void setRetryRoundPause(Duration retryRoundPause) {
		this.retryRoundPause = retryRoundPause;
	}

	public Webhook getWebhook() {
		return this.webhook;
	}

	public Mail getMail() {
		return this.mail;
	}

	/**
	 * The outbound channels.
	 */
	public enum ChannelType {

		/** One INFO log line per notification. */
		LOG,

		/** A JSON {@code POST} to {@code rill.notification.webhook.url}. */
		WEBHOOK,

		/** An e-mail through Spring Boot's mail support ({@code spring.mail.host} must be set). */
		MAIL

	}

	/**
	 * Settings of the webhook channel.
	 */
	public static class Webhook {

		/**
		 * Where notifications are posted, e.g. {@code https://hooks.example.com/orders}.
		 * Setting it selects the webhook channel unless {@code rill.notification.channel} says otherwise.
		 */
		private URI url;

		/**
		 * How long connecting to the webhook may take.
		 */
		@NotNull
		@DurationMin(millis = 1)
		private Duration connectTimeout = Duration.ofSeconds(2);

		/**
		 * How long the webhook may take to answer.
		 */
		@NotNull
		@DurationMin(millis = 1)
		private Duration readTimeout = Duration.ofSeconds(5);

		/**
		 * @return whether the URL, if set, is an absolute http(s) URL
		 */
		@AssertTrue(message = "rill.notification.webhook.url must be an absolute http or https URL")
		public boolean isUrlHttp() {
			return this.url == null || ("http".equalsIgnoreCase(this.url.getScheme())
					|| "https".equalsIgnoreCase(this.url.getScheme())) && this.url.getHost() != null;
		}

		public URI getUrl() {
			return this.url;
		}

		public void setUrl(URI url) {
			this.url = url;
		}

		public Duration getConnectTimeout() {
			return this.connectTimeout;
		}

		public void setConnectTimeout(Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
		}

		public Duration getReadTimeout() {
			return this.readTimeout;
		}

		public void setReadTimeout(Duration readTimeout) {
			this.readTimeout = readTimeout;
		}

	}

	/**
	 * Settings of the mail channel.
	 */
	public static class Mail {

		/**
		 * The sender address of notification mails.
		 */
		@NotBlank
		@Email
		private String from = "orders@rill.invalid";

		public String getFrom() {
			return this.from;
		}

		public void setFrom(String from) {
			this.from = from;
		}

	}

}
