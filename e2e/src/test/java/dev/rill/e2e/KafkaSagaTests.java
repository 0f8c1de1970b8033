package dev.rill.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.rill.e2e.platform.Platform;
import dev.rill.e2e.platform.RillClient;
import dev.rill.e2e.platform.RillClient.Item;
import dev.rill.e2e.platform.RillClient.OrderRequest;
import dev.rill.e2e.platform.RillClient.Placement;
import dev.rill.e2e.platform.RillClient.StockLevel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The same saga over Spring Cloud Stream's Kafka binder (profile {@code kafka}), on a
 * single-node KRaft broker embedded in the test JVM. The services keep their state in a
 * private Redis as before; only the transport changes, by configuration alone.
 */
class KafkaSagaTests extends SagaTests {

	@RegisterExtension
	static final SagaPlatform<KafkaTransport> saga = new SagaPlatform<>(KafkaTransport::start);

	/**
	 * Events sent while a named group does not exist yet are not skipped: the Kafka binder starts a
	 * new named group at the earliest offset ({@code startOffset}), as the Redis binder does.
	 * inventory-app is stopped, its group deleted, orders placed, and only then inventory-app
	 * started again: it reads the whole topic (the saga's events too, if that test ran first:
	 * handled again, idempotently) and decides the new orders.
	 */
	@Test
	void aNewNamedGroupStartsAtTheEarliestOffset() {
		Platform platform = saga.platform();
		RillClient client = platform.client();
		client.setStock("fig", 5);
		platform.inventory().stop();
		saga.transport().broker().doWithAdmin(admin -> await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.ignoreExceptions()
			.untilAsserted(() -> admin.deleteConsumerGroups(List.of("inventory")).all().get()));

		List<String> orderIds = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			Placement placement = client.placeOrder(
					new OrderRequest("c-early", "early@example.com", List.of(new Item("fig", 1))), null, "kafka-early-" + i);
			assertThat(placement.status()).as("placing order %d while inventory-app is down", i).isEqualTo(202);
			orderIds.add(placement.orderId());
		}

		platform.inventory().start().awaitHealthy(Duration.ofMinutes(2));
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			for (String orderId : orderIds) {
				assertThat(client.order(orderId)).as("order %s", orderId).hasValueSatisfying(
						order -> assertThat(order.status()).isEqualTo("CONFIRMED"));
				assertThat(client.notifications(orderId)).as("notifications of %s", orderId).hasSize(1);
			}
		});
		saga.transport().awaitIdle(Duration.ofSeconds(60));
		for (String orderId : orderIds) {
			assertThat(client.notifications(orderId)).as("notifications of %s", orderId).hasSize(1);
		}
		assertThat(client.stock("fig")).hasValue(new StockLevel("fig", 0, 5));
	}

}
