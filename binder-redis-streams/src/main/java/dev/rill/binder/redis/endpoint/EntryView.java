package dev.rill.binder.redis.endpoint;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.rill.binder.redis.codec.StreamEntryFields;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.EntryDescriptor;

import org.springframework.data.redis.connection.stream.ByteRecord;

/**
 * Shows a stream entry as JSON can carry it: every field but {@code payload} as a header,
 * the payload as text when it is UTF-8 and base64 otherwise, both cut to a bounded size so
 * that one huge entry cannot blow up a response.
 */
final class EntryView {

	/** Payload bytes shown at most per entry. */
	static final int MAX_PAYLOAD_BYTES = 16 * 1024;

	/** Header value bytes shown at most per header (a dead letter's stack trace is cut at 8 KiB). */
	static final int MAX_HEADER_BYTES = 16 * 1024;

	/** Prefix of a header value shown base64-encoded because it is not UTF-8 text. */
	static final String BASE64_PREFIX = "base64:";

	/** Appended to a header value that was cut. */
	static final String CUT_MARKER = "...(cut)";

	private EntryView() {
	}

	static EntryDescriptor of(ByteRecord record) {
		Map<String, String> headers = new LinkedHashMap<>();
		byte[] payload = null;
		for (Map.Entry<byte[], byte[]> field : record.getValue().entrySet()) {
			String name = new String(field.getKey(), StandardCharsets.UTF_8);
			if (StreamEntryFields.PAYLOAD.equals(name)) {
				payload = field.getValue();
			}
			else {
				headers.put(name, header(field.getValue()));
			}
		}
		if (payload == null) {
			return new EntryDescriptor(record.getId().getValue(), headers, null, null, null, false);
		}
		Shown shown = show(payload, MAX_PAYLOAD_BYTES);
		return new EntryDescriptor(record.getId().getValue(), headers, shown.value(),
				shown.text() ? "text" : "base64", payload.length, shown.cut());
	}

	private static String header(byte[] value) {
		Shown shown = show(value, MAX_HEADER_BYTES);
		String text = shown.text() ? shown.value() : BASE64_PREFIX + shown.value();
		return shown.cut() ? text + CUT_MARKER : text;
	}

	/**
	 * @param bytes the value
	 * @param max how many bytes to show at most
	 * @return the first {@code max} bytes as text when they are UTF-8 (a character split by
	 * the cut is left out), otherwise base64-encoded
	 */
	static Shown show(byte[] bytes, int max) {
		boolean cut = bytes.length > max;
		ByteBuffer in = ByteBuffer.wrap(bytes, 0, Math.min(bytes.length, max));
		CharBuffer out = CharBuffer.allocate(in.remaining());
		CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);
		CoderResult result = decoder.decode(in, out, !cut);
		if (!result.isError() && !cut) {
			result = decoder.flush(out);
		}
		if (result.isError()) {
			byte[] shown = cut ? Arrays.copyOf(bytes, max) : bytes;
			return new Shown(Base64.getEncoder().encodeToString(shown), false, cut);
		}
		out.flip();
		return new Shown(out.toString(), true, cut);
	}

	record Shown(String value, boolean text, boolean cut) {
	}

}
