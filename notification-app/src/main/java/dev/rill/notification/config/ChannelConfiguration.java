package dev.rill.notification.config;

import java.net.http.HttpClient;
import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.rill.notification.channel.LogChannel;
import dev.rill.notification.channel.MailChannel;
import dev.rill.notification.channel.NotificationChannel;
import dev.rill.notification.channel.WebhookChannel;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.web.client.RestClient;

/**
 * Creates the outbound {@link NotificationChannel} chosen by {@code rill.notification.channel}
 * (see {@link NotificationProperties}).
 */
@Configuration(proxyBeanMethods = false)
public class ChannelConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(ChannelConfiguration.class);

	@Bean
	NotificationChannel notificationChannel(NotificationProperties properties,
			ObjectProvider<RestClient.Builder> restClients, ObjectProvider<JavaMailSender> mailSenders) {
		NotificationChannel channel = switch (properties.effectiveChannel()) {
			case LOG -> new LogChannel();
			case WEBHOOK -> webhook(properties.getWebhook(), restClients.getObject());
			case MAIL -> mail(properties.getMail(), mailSenders.getIfAvailable());
		};
		logger.info("Notifications go out through the {} channel", channel.name());
		return channel;
	}

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	private static WebhookChannel webhook(NotificationProperties.Webhook webhook, RestClient.Builder builder) {
		HttpClient httpClient = HttpClient.newBuilder().connectTimeout(webhook.getConnectTimeout()).build();
		JdkClientHttpRequestFactory requestFactory = new JdkClientHttpRequestFactory(httpClient);
		requestFactory.setReadTimeout(webhook.getReadTimeout());
		return new WebhookChannel(builder.requestFactory(requestFactory).build(), webhook.getUrl());
	}

	private static MailChannel mail(NotificationProperties.Mail mail, JavaMailSender sender) {
		if (sender == null) {
			throw new IllegalStateException(
					"rill.notification.channel is mail, but there is no JavaMailSender: set spring.mail.host "
							+ "(and spring.mail.port, username, password as needed)");
		}
		return new MailChannel(sender, mail.getFrom());
	}

}
