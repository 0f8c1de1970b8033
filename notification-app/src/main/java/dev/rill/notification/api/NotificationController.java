package dev.rill.notification.api;

import java.util.List;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import dev.rill.notification.notify.SentNotification;
import dev.rill.notification.store.NotificationStore;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /notifications?orderId=}: the notifications sent for an order, oldest first.
 * An order nobody was told about yet (or that does not exist: this service does not know
 * orders, only notifications) has an empty list.
 */
@RestController
public class NotificationController {

	private final NotificationStore store;

	public NotificationController(NotificationStore store) {
		this.store = store;
	}

	/**
	 * @param orderId the order
	 * @return its notifications: status, reason (when rejected), email, channel, sentAt
	 */
	@GetMapping("/notifications")
	public List<SentNotification> notifications(@RequestParam @NotBlank @Size(max = 200) String orderId) {
		return this.store.findByOrderId(orderId.trim());
	}

}
