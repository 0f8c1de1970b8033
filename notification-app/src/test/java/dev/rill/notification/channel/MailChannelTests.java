package dev.rill.notification.channel;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import dev.rill.notification.events.OrderStatus;
import dev.rill.notification.notify.Notice;

import org.springframework.mail.MailParseException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.willThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

/**
 * {@link MailChannel}: the mail it sends, and which failures are refusals.
 */
class MailChannelTests {

	private final JavaMailSender sender = mock(JavaMailSender.class);

	private final MailChannel channel = new MailChannel(this.sender, "orders@rill.invalid");

	@Test
	void sendsOneMailToTheCustomerWithTheReason() {
		this.channel.send(notice());

		ArgumentCaptor<SimpleMailMessage> mail = ArgumentCaptor.forClass(SimpleMailMessage.class);
		verify(this.sender).send(mail.capture());
		assertThat(mail.getValue().getTo()).containsExactly("ann@example.com");
		assertThat(mail.getValue().getFrom()).isEqualTo("orders@rill.invalid");
		assertThat(mail.getValue().getSubject()).isEqualTo("Your order o-1 is rejected");
		assertThat(mail.getValue().getText()).contains("out of stock");
	}

	@Test
	void aMailThatCannotBeBuiltIsARefusal() {
		willThrow(new MailParseException("bad address")).given(this.sender).send(any(SimpleMailMessage.class));

		assertThatExceptionOfType(NotificationRejectedException.class).isThrownBy(() -> this.channel.send(notice()));
	}

	@Test
	void anSmtpFailureIsAnOutage() {
		willThrow(new MailSendException("connection refused")).given(this.sender).send(any(SimpleMailMessage.class));

		assertThatExceptionOfType(MailSendException.class).isThrownBy(() -> this.channel.send(notice()));
	}

	private static Notice notice() {
		return new Notice(UUID.randomUUID(), "o-1", "c-7", "ann@example.com", OrderStatus.REJECTED, "out of stock",
				Instant.parse("2024-05-01T10:00:00Z"));
	}

}
