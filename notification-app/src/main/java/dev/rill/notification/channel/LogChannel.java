package dev.rill.notification.channel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.rill.notification.notify.Notice;

/**
 * The default channel: one INFO line per notice, without the payload. Useful for local
 * runs and demos.
 */
public class LogChannel implements NotificationChannel {

	private static final Logger logger = LoggerFactory.getLogger(LogChannel.class);

	@Override
	public String name() {
		return "log";
	}

	@Override
	public void send(Notice notice) {
		logger.info("Notified {} that order {} is {}", notice.email(), notice.orderId(), notice.status());
	}

}
