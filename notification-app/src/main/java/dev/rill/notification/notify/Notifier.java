package dev.rill.notification.notify;

import java.time.Clock;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.rill.notification.channel.GuardedChannel;
import dev.rill.notification.store.NotificationStore;

/**
 * Tells the customer once per order and status: skips a notice whose marker exists, sends
 * it through the guarded channel otherwise, and records it only after the channel
 * accepted it.
 * <p>
 * At least once, not exactly once: if the process dies (or Redis fails) after the channel
 * accepted the notice and before the marker is written, the redelivered event sends it
 * again. Two deliveries of one event handled at the same moment (possible only when an
 * entry is claimed from a consumer that is still working on it) may both send; the marker
 * then records it once.
 */
public class Notifier {

	private static final Logger logger = LoggerFactory.getLogger(Notifier.class);

	private final NotificationStore store;

	private final GuardedChannel channel;

	private final Clock clock;

	public Notifier(NotificationStore store, GuardedChannel channel, Clock clock) {
		this.store = store;
		this.channel = channel;
		this.clock = clock;
	}

	/**
	 * @param notice what to tell whom
	 */
	public void notifyCustomer(Notice notice) {
		if (this.store.isSent(notice.orderId(), notice.status())) {
			logger.info("Order {} was already notified as {}; not sending again", notice.orderId(), notice.status());
			return;
		}
		String channelName = this.channel.send(notice);
		SentNotification sent = new SentNotification(notice.orderId(), notice.status(), notice.reason(),
				notice.email(), channelName, Instant.now(this.clock));
		if (!this.store.recordSent(sent)) {
			logger.info("Order {} was notified as {} by a concurrent delivery too", notice.orderId(),
					notice.status());
		}
	}

}
