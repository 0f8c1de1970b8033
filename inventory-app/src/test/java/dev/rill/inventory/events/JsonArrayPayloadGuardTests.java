package dev.rill.inventory.events;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.cloud.function.json.JsonMapper;
import org.springframework.integration.channel.QueueChannel;
import org.springframework.messaging.support.MessageBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The guard refuses every payload Spring Cloud Function would split into elements (its own test,
 * {@code JsonMapper.isJsonStringRepresentsCollection}), and lets every other one through.
 */
class JsonArrayPayloadGuardTests {

	private final JsonArrayPayloadGuard guard = new JsonArrayPayloadGuard();

	@ParameterizedTest
	@ValueSource(strings = { "[]", "[1,2]", "[{\"orderId\":\"o-1\"}]", " \r\n\t[ {} ] ", "[1,2", "[1] x" })
	void refusesWhatSpringCloudFunctionWouldSplitAndBrokenArrays(String payload) {
		assertThatThrownBy(() -> this.guard.preSend(MessageBuilder.withPayload(payload.getBytes(StandardCharsets.UTF_8))
			.setHeader(EventHeaders.EVENT_TYPE, "OrderPlaced")
			.build(), new QueueChannel())).isInstanceOf(UnreadableEventException.class)
			.hasMessageStartingWith("Unreadable OrderPlaced payload (")
			.hasMessageEndingWith("bytes): a JSON array, but an event is one JSON object");
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"orderId\":\"o-1\",\"items\":[]}", "\"[1]\"", "42", "", "not json [1]", "{[" })
	void letsEverythingElseThrough(String payload) {
		assertThat(JsonMapper.isJsonStringRepresentsCollection(payload)).as("split by Spring Cloud Function").isFalse();
		var message = MessageBuilder.withPayload(payload.getBytes(StandardCharsets.UTF_8)).build();

		assertThat(this.guard.preSend(message, new QueueChannel())).isSameAs(message);
	}

	@ParameterizedTest
	@ValueSource(strings = { "[]", "[1,2]", " \n[{\"a\":1}]\n" })
	void everyPayloadSpringCloudFunctionSplitsIsAnArrayToTheGuard(String payload) {
		assertThat(JsonMapper.isJsonStringRepresentsCollection(payload)).isTrue();
		assertThat(JsonArrayPayloadGuard.isJsonArray(payload.getBytes(StandardCharsets.UTF_8))).isTrue();
		assertThat(JsonArrayPayloadGuard.isJsonArray(payload)).isTrue();
		assertThat(JsonArrayPayloadGuard.isJsonArray(List.of(1))).isTrue();
	}

}
