package dev.rill.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.rill.binder.redis.test.RedisClusterProcess;
import dev.rill.binder.redis.test.RedisServerProcess;
import dev.rill.e2e.platform.RillClient;
import dev.rill.e2e.platform.RillClient.Item;
import dev.rill.e2e.platform.RillClient.OrderRequest;
import dev.rill.e2e.platform.RillClient.Placement;
import dev.rill.e2e.platform.StreamGroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The same saga on a Redis Cluster of three primaries, by configuration alone: profile
 * {@code cluster} ({@code config/application-cluster.yml}) with the cluster's nodes in
 * {@code REDIS_CLUSTER_NODES}. The binder carries the events over the cluster; the services
 * keep their state there, each under a hash-tagged key prefix so that their multi-key
 * scripts stay in one slot.
 */
class ClusterSagaTests extends SagaTests {

	@RegisterExtension
	static final SagaPlatform<RedisClusterTransport> saga = new SagaPlatform<>(RedisClusterTransport::start);

	/**
	 * The streams and the services' state are spread as intended: the saga's streams (no
	 * hash tag) are not all on one shard, and each service's keys live on one shard.
	 */
	@Test
	void theStreamsSpreadOverTheShardsAndEachServicesKeysStayOnOne() {
		RedisClusterProcess cluster = saga.transport().cluster();
		RillClient client = saga.platform().client();
		client.setStock("quince", 1);
		Placement placement = client.placeOrder(
				new OrderRequest("c-cluster", "cluster@example.com", List.of(new Item("quince", 1))), null,
				"cluster-spread");
		assertThat(placement.status()).isEqualTo(202);
		await().atMost(Duration.ofSeconds(60)).until(() -> client.notifications(placement.orderId()).size() == 1);

		Set<Integer> streamOwners = StreamGroups.SAGA.keySet()
			.stream()
			.map(stream -> cluster.slotOwner(stream).port())
			.collect(Collectors.toSet());
		assertThat(streamOwners).as("the shards holding the saga's streams").hasSizeGreaterThan(1);
		for (String service : List.of("order", "inventory", "notification")) {
			List<RedisServerProcess> holders = cluster.primaries()
				.stream()
				.filter(node -> !new StreamGroups(node.host(), node.port()).keys("{" + service + "}:*").isEmpty())
				.toList();
			assertThat(holders).as("the shards holding %s's keys", service).hasSize(1);
		}
	}

}
