package dev.rill.binder.redis.provisioning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reading {@code redis_version} and comparing it with the binder's minimum, 6.2.
 */
class RedisVersionTests {

	@Test
	void parsesMajorMinorAndPatch() {
		assertThat(RedisVersion.parse("7.2.4")).contains(new RedisVersion(7, 2, 4));
		assertThat(RedisVersion.parse("6.2")).contains(new RedisVersion(6, 2, 0));
		assertThat(RedisVersion.parse(" 7.4-rc1")).contains(new RedisVersion(7, 4, 0));
		assertThat(RedisVersion.parse("255.255.255")).contains(new RedisVersion(255, 255, 255));
	}

	@Test
	void textThatIsNoVersionIsNotParsed() {
		assertThat(RedisVersion.parse(null)).isEmpty();
		assertThat(RedisVersion.parse("")).isEmpty();
		assertThat(RedisVersion.parse("unstable")).isEmpty();
		assertThat(RedisVersion.parse("7")).isEmpty();
	}

	@Test
	void comparesNumericallyNotAsText() {
		assertThat(new RedisVersion(6, 10, 0).isAtLeast(new RedisVersion(6, 2, 0))).isTrue();
		assertThat(new RedisVersion(10, 0, 0).isAtLeast(new RedisVersion(6, 2, 0))).isTrue();
		assertThat(new RedisVersion(6, 1, 99).isAtLeast(new RedisVersion(6, 2, 0))).isFalse();
		assertThat(new RedisVersion(6, 2, 0).isAtLeast(new RedisVersion(6, 2, 0))).isTrue();
		assertThat(new RedisVersion(6, 2, 0).compareTo(new RedisVersion(6, 2, 1))).isNegative();
	}

	@ParameterizedTest
	@ValueSource(strings = { "6.2.0", "6.2.14", "6.2", "7.0.15", "7.2.4", "7.4.1", "8.0.0", "10.1.2" })
	void sixPointTwoAndNewerPass(String version) {
		assertThatNoException().isThrownBy(() -> RedisVersionVerifier.verify(version));
	}

	@ParameterizedTest
	@ValueSource(strings = { "6.0.16", "6.1.9", "5.0.14", "4.0.0", "2.8.24" })
	void olderVersionsFailNamingTheVersionAndTheMinimum(String version) {
		assertThatThrownBy(() -> RedisVersionVerifier.verify(version))
			.isInstanceOfSatisfying(UnsupportedRedisVersionException.class, ex -> {
				assertThat(ex.getVersion()).isEqualTo(version);
				assertThat(ex.getMinimum()).isEqualTo(RedisVersion.MINIMUM);
			})
			.hasMessage("Redis " + version + " is too old for the Redis Streams binder, which needs Redis 6.2 or newer");
	}

	@Test
	void aVersionThatCannotBeReadIsNotHeldAgainstTheServer() {
		assertThatNoException().isThrownBy(() -> RedisVersionVerifier.verify("unknown"));
	}

}
