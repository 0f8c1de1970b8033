package dev.rill.notification.channel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.rill.notification.events.OrderStatus;
import dev.rill.notification.notify.Notice;

import org.springframework.mail.MailParseException;
import org.springframework.mail.MailPreparationException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;

/**
 * Tells the customer by e-mail, through Spring Boot's {@link JavaMailSender}
 * ({@code spring.mail.*}). A message that cannot be built (e.g. an address that does not
 * parse) is refused for good; failures to reach or talk to the SMTP server are outages.
 */
public class MailChannel implements NotificationChannel {

	private static final Logger logger = LoggerFactory.getLogger(MailChannel.class);

	private final JavaMailSender sender;

	private final String from;

	/**
	 * @param sender Spring Boot's mail sender
	 * @param from the sender address
	 */
	public MailChannel(JavaMailSender sender, String from) {
		this.sender = sender;
		this.from = from;
	}

	@Override
	public String name() {
		return "mail";
	}

	@Override
	public void send(Notice notice) {
		SimpleMailMessage mail = new SimpleMailMessage();
		mail.setFrom(this.from);
		mail.setTo(notice.email());
		mail.setSubject("Your order " + notice.orderId() + " is " + notice.status().name().toLowerCase());
		mail.setText(text(notice));
		try {
			this.sender.send(mail);
		}
		catch (MailParseException | MailPreparationException ex) {
			throw new NotificationRejectedException("Cannot build the mail for order " + notice.orderId(), ex);
		}
		logger.info("Notified {} that order {} is {} (mail)", notice.email(), notice.orderId(), notice.status());
	}

	private static String text(Notice notice) {
		if (notice.status() == OrderStatus.CONFIRMED) {
			return "Your order " + notice.orderId() + " is confirmed.";
		}
		return "Your order " + notice.orderId() + " was rejected"
				+ ((notice.reason() != null) ? ": " + notice.reason() : ".");
	}

}
