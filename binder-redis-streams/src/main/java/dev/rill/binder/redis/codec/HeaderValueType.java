package dev.rill.binder.redis.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The header value types that survive the trip through a stream with their type intact.
 * <p>
 * The list is closed on purpose: the consuming side only ever builds these JDK value types
 * from a type code, never a class named in the entry, so an entry written by anyone
 * cannot make the consumer instantiate arbitrary classes.
 */
enum HeaderValueType {

	INTEGER("int", Integer.class, Integer::valueOf),
	LONG("long", Long.class, Long::valueOf),
	SHORT("short", Short.class, Short::valueOf),
	BYTE("byte", Byte.class, Byte::valueOf),
	DOUBLE("double", Double.class, Double::valueOf),
	FLOAT("float", Float.class, Float::valueOf),
	BOOLEAN("boolean", Boolean.class, Boolean::valueOf),
	UUID_TYPE("uuid", UUID.class, UUID::fromString),
	BYTES("bytes", byte[].class, null);

	private static final Map<String, HeaderValueType> BY_CODE = Arrays.stream(values())
		.collect(Collectors.toUnmodifiableMap(type -> type.code, Function.identity()));

	private static final Map<Class<?>, HeaderValueType> BY_CLASS = Arrays.stream(values())
		.collect(Collectors.toUnmodifiableMap(type -> type.javaType, Function.identity()));

	private final String code;

	private final Class<?> javaType;

	private final Function<String, Object> parser;

	HeaderValueType(String code, Class<?> javaType, Function<String, Object> parser) {
		this.code = code;
		this.javaType = javaType;
		this.parser = parser;
	}

	String code() {
		return this.code;
	}

	static HeaderValueType forValue(Object value) {
		return BY_CLASS.get(value.getClass());
	}

	static HeaderValueType forCode(String code) {
		return BY_CODE.get(code);
	}

	byte[] encode(Object value) {
		return (this == BYTES) ? (byte[]) value : value.toString().getBytes(StandardCharsets.UTF_8);
	}

	Object decode(byte[] raw) {
		return (this == BYTES) ? raw : this.parser.apply(new String(raw, StandardCharsets.UTF_8));
	}

}
