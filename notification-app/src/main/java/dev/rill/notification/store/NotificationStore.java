package dev.rill.notification.store;

import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rill.notification.config.NotificationProperties;
import dev.rill.notification.events.OrderStatus;
import dev.rill.notification.notify.SentNotification;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * The notifications sent, in Redis:
 * <ul>
 * <li>{@code <prefix>sent:<orderId>:<status>}: the marker that the customer was told this
 * status (its value: when). Set only after the channel accepted the notice;</li>
 * <li>{@code <prefix>order:<orderId>}: a list of the notifications sent for the order,
 * as JSON, oldest first.</li>
 * </ul>
 * Both are written by one Lua script, so a marker never exists without its list entry and
 * the entry is appended once however often the same notice is recorded. Both expire after
 * {@code rill.notification.retention}.
 * <p>
 * In a Redis Cluster the two keys of one order must share a slot for the script: use a
 * {@code key-prefix} and order ids that keep them together, or a hash tag (not done here
 * to keep the documented key names).
 */
@Component
public class NotificationStore {

	/**
	 * KEYS[1] marker, KEYS[2] per-order list; ARGV[1] marker value, ARGV[2] list entry,
	 * ARGV[3] retention in ms. Returns 1 when recorded now, 0 when it was already.
	 */
	private static final RedisScript<Long> RECORD = new DefaultRedisScript<>("""
			if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[3]) then
			  redis.call('RPUSH', KEYS[2], ARGV[2])
			  redis.call('PEXPIRE', KEYS[2], ARGV[3])
			  return 1
			end
			return 0
			""", Long.class);

	private final StringRedisTemplate redis;

	private final ObjectMapper json;

	private final NotificationProperties properties;

	public NotificationStore(StringRedisTemplate redis, ObjectMapper json, NotificationProperties properties) {
		this.redis = redis;
		this.json = json;
		this.properties = properties;
	}

	/**
	 * @param orderId the order
	 * @param status the status
	 * @return whether the customer was already told that the order has this status
	 */
	public boolean isSent(String orderId, OrderStatus status) {
		return Boolean.TRUE.equals(this.redis.hasKey(markerKey(orderId, status)));
	}

	/**
	 * Record a notification the channel accepted: set its marker and append it to the
	 * order's list, unless its marker exists already.
	 * @param sent the notification
	 * @return {@code true} when recorded now, {@code false} when it was recorded before
	 */
	public boolean recordSent(SentNotification sent) {
		Long recorded = this.redis.execute(RECORD, List.of(markerKey(sent.orderId(), sent.status()),
				listKey(sent.orderId())), sent.sentAt().toString(), toJson(sent),
				Long.toString(this.properties.getRetention().toMillis()));
		return Long.valueOf(1).equals(recorded);
	}

	/**
	 * @param orderId the order
	 * @return the notifications sent for it, oldest first; empty when none
	 */
	public List<SentNotification> findByOrderId(String orderId) {
		List<String> entries = this.redis.opsForList().range(listKey(orderId), 0, -1);
		return (entries != null) ? entries.stream().map(this::fromJson).toList() : List.of();
	}

	String markerKey(String orderId, OrderStatus status) {
		return this.properties.getKeyPrefix() + "sent:" + orderId + ":" + status;
	}

	String listKey(String orderId) {
		return this.properties.getKeyPrefix() + "order:" + orderId;
	}

	private String toJson(SentNotification sent) {
		try {
			return this.json.writeValueAsString(sent);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("Cannot write the notification of order " + sent.orderId(), ex);
		}
	}

	private SentNotification fromJson(String entry) {
		try {
			return this.json.readValue(entry, SentNotification.class);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("Unreadable notification entry in Redis", ex);
		}
	}

}
