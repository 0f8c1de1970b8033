package dev.rill.binder.redis.codec;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MimeTypeUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A message's trip through the fields of a stream entry: what {@link StreamEntryEncoder}
 * writes (flat, as {@code XADD} takes it) comes back from {@link StreamEntryDecoder} with
 * the same payload and headers, typed headers with their type.
 */
class StreamEntryCodecTests {

	private final StreamEntryEncoder encoder = new StreamEntryEncoder();

	private final StreamEntryDecoder decoder = new StreamEntryDecoder();

	@Test
	void payloadAndHeadersComeBackWithTheirTypesRawBytesIncluded() {
		UUID uuid = UUID.randomUUID();
		byte[] notUtf8 = { (byte) 0xff, 0x00, (byte) 0xc3 };
		Message<byte[]> message = MessageBuilder.withPayload("{\"a\":1}".getBytes(StandardCharsets.UTF_8))
			.setHeader("text", "plain")
			.setHeader("attempt", 3)
			.setHeader("offset", 42L)
			.setHeader("urgent", true)
			.setHeader("trace", uuid)
			.setHeader("signature", notUtf8)
			.setHeader("contentType", MimeTypeUtils.APPLICATION_JSON)
			.setHeader("callback", new Object())
			.build();

		Map<String, Object> headers = new HashMap<>();
		byte[] payload = this.decoder.decodeInto(fieldMap(this.encoder.encodeFields(message)), headers);

		assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
		assertThat(headers).containsEntry("text", "plain")
			.containsEntry("attempt", 3)
			.containsEntry("offset", 42L)
			.containsEntry("urgent", true)
			.containsEntry("trace", uuid)
			.containsEntry("contentType", "application/json")
			.doesNotContainKeys("callback", "id", "timestamp", StreamEntryFields.HEADER_TYPES);
		assertThat((byte[]) headers.get("signature")).containsExactly(notUtf8);
	}

	@Test
	void theFieldsArePayloadFirstAndHeaderNamesAreEncodedOnce() {
		Message<String> first = MessageBuilder.withPayload("one").setHeader("tenant", "a").build();
		Message<String> second = MessageBuilder.withPayload("two").setHeader("tenant", "b").build();

		byte[][] one = this.encoder.encodeFields(first);
		byte[][] two = this.encoder.encodeFields(second);

		assertThat(one.length).as("fields").isEqualTo(4);
		assertThat(new String(one[0], StandardCharsets.UTF_8)).isEqualTo(StreamEntryFields.PAYLOAD);
		assertThat(new String(one[1], StandardCharsets.UTF_8)).isEqualTo("one");
		assertThat(new String(one[2], StandardCharsets.UTF_8)).isEqualTo("tenant");
		assertThat(two[2]).as("the cached name").isSameAs(one[2]);
	}

	@Test
	void aTypedValueThatDoesNotParseStaysAString() {
		Map<byte[], byte[]> fields = new LinkedHashMap<>();
		fields.put(bytes(StreamEntryFields.PAYLOAD), bytes("x"));
		fields.put(bytes("attempt"), bytes("three"));
		fields.put(bytes(StreamEntryFields.HEADER_TYPES), bytes("attempt:int"));

		Map<String, Object> headers = new HashMap<>();
		this.decoder.decodeInto(fields, headers);

		assertThat(headers).containsEntry("attempt", "three");
	}

	@Test
	void anEntryWithoutPayloadIsMalformedNamingItsFields() {
		Map<byte[], byte[]> fields = new LinkedHashMap<>();
		fields.put(bytes("nopayload"), bytes("x"));

		assertThatThrownBy(() -> this.decoder.decodeInto(fields, new HashMap<>()))
			.isInstanceOf(MalformedStreamEntryException.class)
			.hasMessageContaining("no 'payload' field")
			.hasMessageContaining("nopayload");
	}

	private static Map<byte[], byte[]> fieldMap(byte[][] flat) {
		Map<byte[], byte[]> fields = new LinkedHashMap<>();
		for (int i = 0; i < flat.length; i += 2) {
			fields.put(flat[i], flat[i + 1]);
		}
		return fields;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
