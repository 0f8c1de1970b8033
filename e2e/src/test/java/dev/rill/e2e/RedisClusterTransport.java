package dev.rill.e2e;

import java.time.Duration;

import dev.rill.binder.redis.test.RedisClusterProcess;
import dev.rill.binder.redis.test.RedisServerProcess;
import dev.rill.e2e.platform.Platform;
import dev.rill.e2e.platform.StreamGroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Redis Streams binder on a Redis Cluster of three primaries, which keeps the services'
 * state too, by configuration alone: profile {@code cluster} ({@code config/application-cluster.yml})
 * with the cluster's nodes in {@code REDIS_CLUSTER_NODES}.
 * @param cluster the cluster, also to see which shard holds what
 */
record RedisClusterTransport(RedisClusterProcess cluster) implements SagaTransport {

	/**
	 * @return a transport on a cluster started for it
	 */
	static RedisClusterTransport start() {
		return new RedisClusterTransport(RedisClusterProcess.builder().build().start());
	}

	@Override
	public String name() {
		return "cluster";
	}

	@Override
	public Platform.Builder configure(Platform.Builder services) {
		RedisServerProcess anyNode = this.cluster.primaries().get(0);
		return services
			// Not used by the services once the cluster profile names the nodes.
			.redis(anyNode.host(), anyNode.port())
			.profiles("cluster")
			.property("REDIS_CLUSTER_NODES", this.cluster.nodes());
	}

	/** Every group drained, asked of the node that owns its stream. */
	@Override
	public void awaitDrained(Duration timeout) {
		await().atMost(timeout).pollInterval(POLL_INTERVAL).until(() -> StreamGroups.sagaDrained(this::groupsOn));
	}

	/** No dead-letter stream on any node. */
	@Override
	public void assertNoDeadLetters() {
		for (RedisServerProcess node : this.cluster.primaries()) {
			assertThat(new StreamGroups(node.host(), node.port()).keys("*dlq*")).as("dead-letter streams on %s", node)
				.isEmpty();
		}
	}

	private StreamGroups groupsOn(String stream) {
		RedisServerProcess owner = this.cluster.slotOwner(stream);
		return new StreamGroups(owner.host(), owner.port());
	}

	@Override
	public void close() {
		this.cluster.close();
	}

}
