package dev.rill.binder.redis.outbound;

import java.util.List;

import dev.rill.binder.redis.properties.RedisStreamsProducerProperties;
import dev.rill.binder.redis.provisioning.RedisStreamProducerDestination;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Where {@code min-replica-acks} cannot work, the producer refuses it when it is created,
 * instead of failing every send. (Its behaviour: {@code ProducerSendFailureTests} and
 * {@code SentinelFailoverTests}.)
 */
class ReplicaAcknowledgementSettingsTests {

	@Test
	void aProducerOnARedisClusterRefusesMinReplicaAcks() {
		// Not connected: the factory knows from its configuration that it is a cluster's.
		LettuceConnectionFactory cluster = new LettuceConnectionFactory(
				new RedisClusterConfiguration(List.of("127.0.0.1:7000")));
		RedisStreamsProducerProperties properties = new RedisStreamsProducerProperties();
		properties.setMinReplicaAcks(1);

		assertThatIllegalStateException()
			.isThrownBy(() -> new RedisStreamsMessageHandler(cluster,
					new RedisStreamProducerDestination("orders", List.of("orders"), false), properties, null,
					RedisStreamsMessageHandler.SendListener.NONE))
			.withMessageStartingWith("min-replica-acks is not supported on Redis Cluster");
	}

}
