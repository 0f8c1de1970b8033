package dev.rill.binder.redis.provisioning;

import org.junit.jupiter.api.Test;

import org.springframework.data.redis.RedisConnectionFailureException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a failed first contact with Redis is read, for the failures that a real server does
 * not produce on demand (the others are specified against real servers in
 * {@code RedisConnectionVerifierTests}, {@code AclTests} and {@code TlsTests}).
 */
class RedisConnectionProblemTests {

	@Test
	void lettuceLosingTheHandshakesOutcomeIsToldApartSoThatTheVerifierAsksAgain() {
		// As Spring Data Redis wraps what Lettuce 6.6 reports when a handshake (NOAUTH, for
		// example) failed before its connect listener ran: seen once on a loaded CI machine.
		RuntimeException lost = new RedisConnectionFailureException("Unable to connect to Redis",
				new IllegalStateException("RedisHandshakeHandler not registered"));

		assertThat(RedisConnectionProblem.isHandshakeOutcomeLost(lost)).isTrue();
		assertThat(RedisConnectionProblem.of(lost)).isEqualTo(RedisConnectionProblem.UNREACHABLE);
	}

	@Test
	void aRefusedConnectionIsNotALostHandshake() {
		RuntimeException refused = new RedisConnectionFailureException("Unable to connect to Redis",
				new java.net.ConnectException("Connection refused"));

		assertThat(RedisConnectionProblem.isHandshakeOutcomeLost(refused)).isFalse();
	}

}
