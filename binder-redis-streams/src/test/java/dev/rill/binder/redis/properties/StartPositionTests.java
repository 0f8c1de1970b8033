package dev.rill.binder.redis.properties;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class StartPositionTests {

	@Test
	void latestIsTheEndOfTheStream() {
		assertThat(StartPosition.parse("latest").lastDeliveredId()).isEqualTo("$");
		assertThat(StartPosition.parse("LATEST")).isSameAs(StartPosition.LATEST);
	}

	@Test
	void earliestIsTheStartOfTheStream() {
		assertThat(StartPosition.parse("earliest").lastDeliveredId()).isEqualTo("0");
	}

	@Test
	void anEntryIdIsTakenAsTheLastDeliveredId() {
		assertThat(StartPosition.parse("1700000000000-5").lastDeliveredId()).isEqualTo("1700000000000-5");
		assertThat(StartPosition.parse("1700000000000").lastDeliveredId()).isEqualTo("1700000000000");
	}

	@Test
	void anInstantStartsJustBeforeTheFirstEntryOfThatMillisecond() {
		StartPosition position = StartPosition.parse("2024-05-01T00:00:00Z");

		assertThat(position.lastDeliveredId()).isEqualTo("1714521599999-18446744073709551615");
	}

	@Test
	void anythingElseIsRejectedNamingTheAcceptedForms() {
		assertThatIllegalArgumentException().isThrownBy(() -> StartPosition.parse("yesterday"))
			.withMessageContaining("'yesterday' is not a start position")
			.withMessageContaining("latest")
			.withMessageContaining("ISO-8601");
	}

}
