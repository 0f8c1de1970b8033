package dev.rill.notification.api;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.rill.notification.events.OrderStatus;
import dev.rill.notification.notify.SentNotification;
import dev.rill.notification.store.NotificationStore;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import static org.mockito.BDDMockito.given;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * {@code GET /notifications?orderId=}: the JSON answer and the problem details of bad requests.
 */
@WebMvcTest(NotificationController.class)
class NotificationControllerTests {

	@Autowired
	private MockMvc mvc;

	@MockitoBean
	private NotificationStore store;

	@Test
	void listsTheNotificationsOfAnOrder() throws Exception {
		given(this.store.findByOrderId("o-1")).willReturn(List.of(
				new SentNotification("o-1", OrderStatus.REJECTED, "out of stock", "ann@example.com", "webhook",
						Instant.parse("2024-05-01T10:00:00Z"))));

		this.mvc.perform(get("/notifications").param("orderId", "o-1"))
			.andExpect(status().isOk())
			.andExpect(content().contentType(MediaType.APPLICATION_JSON))
			.andExpect(jsonPath("$[0].orderId").value("o-1"))
			.andExpect(jsonPath("$[0].status").value("REJECTED"))
			.andExpect(jsonPath("$[0].reason").value("out of stock"))
			.andExpect(jsonPath("$[0].email").value("ann@example.com"))
			.andExpect(jsonPath("$[0].channel").value("webhook"))
			.andExpect(jsonPath("$[0].sentAt").value("2024-05-01T10:00:00Z"));
	}

	@Test
	void confirmationsHaveNoReasonField() throws Exception {
		given(this.store.findByOrderId("o-2")).willReturn(List.of(new SentNotification("o-2", OrderStatus.CONFIRMED,
				null, "ann@example.com", "log", Instant.parse("2024-05-01T10:00:00Z"))));

		this.mvc.perform(get("/notifications").param("orderId", "o-2"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$[0].reason").doesNotExist());
	}

	@Test
	void anOrderWithoutNotificationsGivesAnEmptyList() throws Exception {
		given(this.store.findByOrderId("o-3")).willReturn(List.of());

		this.mvc.perform(get("/notifications").param("orderId", "o-3"))
			.andExpect(status().isOk())
			.andExpect(content().json("[]"));
	}

	@Test
	void missingOrderIdIsAProblemNamingTheParameter() throws Exception {
		this.mvc.perform(get("/notifications"))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.status").value(400))
			.andExpect(jsonPath("$.errors[0].name").value("orderId"))
			.andExpect(jsonPath("$.errors[0].message").value("is required"));
	}

	@Test
	void blankOrderIdIsAProblemNamingTheParameter() throws Exception {
		this.mvc.perform(get("/notifications").param("orderId", " "))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.errors[0].name").value("orderId"))
			.andExpect(jsonPath("$.errors[0].message").value("must not be blank"));
	}

}
