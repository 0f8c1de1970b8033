package dev.rill.binder.redis.codec;

import java.util.Map;

/**
 * The payload and headers read back from one stream entry.
 *
 * @param payload the payload bytes as they were sent
 * @param headers the headers carried by the entry, with their types restored
 */
public record DecodedEntry(byte[] payload, Map<String, Object> headers) {
}
