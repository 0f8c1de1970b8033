package dev.rill.notification.config;

import org.junit.jupiter.api.Test;

import dev.rill.notification.channel.LogChannel;
import dev.rill.notification.channel.MailChannel;
import dev.rill.notification.channel.NotificationChannel;
import dev.rill.notification.channel.WebhookChannel;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.http.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.autoconfigure.mail.MailSenderAutoConfiguration;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.autoconfigure.web.client.RestClientAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rill.notification.*}: the channel it chooses, and startup failures that name the
 * property when a value is wrong.
 */
class NotificationPropertiesTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class, JacksonAutoConfiguration.class,
				HttpMessageConvertersAutoConfiguration.class, RestClientAutoConfiguration.class,
				MailSenderAutoConfiguration.class))
		.withUserConfiguration(ChannelConfiguration.class, PropertiesConfiguration.class);

	@Test
	void theLogChannelIsTheDefault() {
		this.runner.run(context -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(NotificationChannel.class)).isInstanceOf(LogChannel.class);
			NotificationProperties properties = context.getBean(NotificationProperties.class);
			assertThat(properties.getKeyPrefix()).isEqualTo("notification:");
			assertThat(properties.getRetention()).hasDays(30);
		});
	}

	@Test
	void aWebhookUrlSelectsTheWebhookChannel() {
		this.runner.withPropertyValues("rill.notification.webhook.url=https://hooks.example.com/orders")
			.run(context -> assertThat(context.getBean(NotificationChannel.class)).isInstanceOf(WebhookChannel.class));
	}

	@Test
	void theLogChannelCanBeChosenDespiteAWebhookUrl() {
		this.runner
			.withPropertyValues("rill.notification.channel=log",
					"rill.notification.webhook.url=https://hooks.example.com/orders")
			.run(context -> assertThat(context.getBean(NotificationChannel.class)).isInstanceOf(LogChannel.class));
	}

	@Test
	void theWebhookChannelWithoutUrlFailsNamingTheProperty() {
		this.runner.withPropertyValues("rill.notification.channel=webhook")
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("rill.notification.webhook.url must be set"));
	}

	@Test
	void aWebhookUrlThatIsNotHttpFailsNamingTheProperty() {
		this.runner.withPropertyValues("rill.notification.webhook.url=ftp://files.example.com/x")
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("rill.notification.webhook.url must be an absolute http or https URL"));
	}

	@Test
	void theMailChannelUsesSpringBootsMailSender() {
		this.runner.withPropertyValues("rill.notification.channel=mail", "spring.mail.host=smtp.example.com")
			.run(context -> assertThat(context.getBean(NotificationChannel.class)).isInstanceOf(MailChannel.class));
	}

	@Test
	void theMailChannelWithoutMailHostFailsSayingWhatToSet() {
		this.runner.withPropertyValues("rill.notification.channel=mail")
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("set spring.mail.host"));
	}

	@Test
	void aTooShortRetentionFailsNamingTheProperty() {
		this.runner.withPropertyValues("rill.notification.retention=0s")
			.run(context -> assertThat(context).getFailure()
				.hasStackTraceContaining("rill.notification.retention"));
	}

	@Test
	void anUnknownChannelFailsNamingTheProperty() {
		this.runner.withPropertyValues("rill.notification.channel=pigeon")
			.run(context -> assertThat(context).getFailure().hasStackTraceContaining("rill.notification.channel"));
	}

	@EnableConfigurationProperties(NotificationProperties.class)
	static class PropertiesConfiguration {

	}

}
