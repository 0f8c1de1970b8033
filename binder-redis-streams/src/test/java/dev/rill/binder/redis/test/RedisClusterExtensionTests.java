package dev.rill.binder.redis.test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.rill.binder.redis.test.RedisClusterProcess.Creation;
import dev.rill.binder.redis.test.RedisClusterProcess.SlotMigration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the Redis Cluster fixture promises: three primaries on their own loopback ports that
 * share the 16384 slots as redis-cli shares them, know where a key lives, and can move a
 * slot with its keys; created with redis-cli or, without it, with cluster commands.
 */
class RedisClusterExtensionTests {

	@RegisterExtension
	static final RedisClusterExtension cluster = RedisClusterExtension.create();

	@BeforeEach
	void empty() {
		cluster.flushAll();
	}

	@Test
	void everyPrimaryReportsAHealthyClusterOfThreeThatSharesTheSlotsInEqualRanges(RedisClusterProcess process) {
		List<RedisServerProcess> primaries = process.primaries();

		assertThat(primaries).hasSize(3).extracting(RedisServerProcess::port).doesNotHaveDuplicates()
			.doesNotContain(6379);
		for (RedisServerProcess node : primaries) {
			assertThat(node.command("CLUSTER", "INFO")).contains("cluster_state:ok")
				.contains("cluster_known_nodes:3")
				.contains("cluster_slots_ok:16384");
		}
		assertThat(process.ownerOf(0)).isSameAs(primaries.get(0));
		assertThat(process.ownerOf(5460)).isSameAs(primaries.get(0));
		assertThat(process.ownerOf(5461)).isSameAs(primaries.get(1));
		assertThat(process.ownerOf(10922)).isSameAs(primaries.get(1));
		assertThat(process.ownerOf(10923)).isSameAs(primaries.get(2));
		assertThat(process.ownerOf(16383)).isSameAs(primaries.get(2));
	}

	@Test
	void pointsSpringAtEveryPrimary(RedisClusterProcess process) {
		String nodes = process.primaries().stream().map(node -> "127.0.0.1:" + node.port())
			.reduce((a, b) -> a + "," + b).orElseThrow();

		assertThat(cluster.springProperties()).containsOnly(Map.entry("spring.data.redis.cluster.nodes", nodes));
	}

	@Test
	void aKeyIsServedByItsSlotOwnerAndRedirectedByTheOthers(RedisClusterProcess process) {
		// "orders" hashes to slot 105, the first primary's.
		assertThat(cluster.slot("orders")).isEqualTo(105);
		RedisServerProcess owner = cluster.slotOwner("orders");
		assertThat(owner).isSameAs(process.primaries().get(0));

		assertThat(cluster.command("orders", "SET", "orders", "x")).isEqualTo("OK");

		assertThat(owner.command("GET", "orders")).isEqualTo("x");
		assertThat(process.primaries().get(1).command("GET", "orders"))
			.isEqualTo("-MOVED 105 127.0.0.1:" + owner.port());
	}

	@Test
	void migrateSlotMovesTheSlotAndItsKeysRedirectingWithAskThenMoved(RedisClusterProcess process) {
		int slot = cluster.slot("orders");
		RedisServerProcess source = cluster.slotOwner("orders");
		RedisServerProcess target = process.primaries().get(2);
		cluster.command("orders", "XADD", "orders", "*", "payload", "moved with its slot");

		SlotMigration migration = process.beginMigration(slot, target);
		migration.moveKeys();
		assertThat(source.command("XLEN", "orders")).isEqualTo("-ASK " + slot + " 127.0.0.1:" + target.port());
		migration.finish();

		assertThat(migration.movedKeys()).isEqualTo(1);
		assertThat(cluster.slotOwner("orders")).isSameAs(target);
		assertThat(target.command("XLEN", "orders")).isEqualTo("1");
		assertThat(source.command("XLEN", "orders")).isEqualTo("-MOVED " + slot + " 127.0.0.1:" + target.port());

		process.migrateSlot(slot, source);
		assertThat(cluster.slotOwner("orders")).isSameAs(source);
		assertThat(source.command("XLEN", "orders")).isEqualTo("1");
	}

	@Test
	void withoutRedisCliTheEmbeddedRedisFormsAClusterThroughClusterCommands() {
		Path firstDataDirectory;
		try (RedisClusterProcess embedded = RedisClusterProcess.builder()
			.useEmbeddedBinary()
			.creation(Creation.COMMANDS)
			.build()) {
			firstDataDirectory = embedded.primaries().get(0).dataDirectory();

			embedded.start();

			assertThat(embedded.primaries().get(0).version()).startsWith("6.2.");
			for (RedisServerProcess node : embedded.primaries()) {
				assertThat(node.command("CLUSTER", "INFO")).contains("cluster_state:ok")
					.contains("cluster_known_nodes:3");
			}
			assertThat(embedded.slotOwner("orders")).isSameAs(embedded.primaries().get(0));
			assertThat(embedded.command("orders", "XADD", "orders", "*", "payload", "x")).isNotNull()
				.doesNotStartWith("-");
			assertThat(firstDataDirectory.resolve("nodes.conf")).exists();
		}
		assertThat(firstDataDirectory).doesNotExist();
	}

}
