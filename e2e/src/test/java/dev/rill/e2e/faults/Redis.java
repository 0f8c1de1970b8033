package dev.rill.e2e.faults;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain Redis commands with structured replies, one connection per command, outside the
 * services' own client: what the fault tests read from the streams (entries with their fields,
 * dead letters whose stack traces span lines, consumers) and write into them (raw XADD). The
 * fixture's {@code RespClient} flattens nested replies into lines, which loses entry boundaries.
 */
final class Redis {

	private final String host;

	private final int port;

	Redis(String host, int port) {
		this.host = host;
		this.port = port;
	}

	/**
	 * @param args a command
	 * @return its reply: {@code String} (simple or bulk string), {@code Long}, {@code List<Object>},
	 * or {@code null}
	 * @throws IllegalStateException for an error reply
	 * @throws UncheckedIOException when Redis cannot be reached
	 */
	Object call(String... args) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(this.host, this.port), 1000);
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			ByteArrayOutputStream request = new ByteArrayOutputStream();
			request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
			for (String arg : args) {
				byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
				request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
				request.writeBytes(bytes);
				request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
			}
			out.write(request.toByteArray());
			out.flush();
			return read(new BufferedInputStream(socket.getInputStream()), String.join(" ", args));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Redis " + this.host + ":" + this.port + " did not answer " + args[0], ex);
		}
	}

	long number(String... args) {
		return (Long) call(args);
	}

	/** {@code XLEN}: 0 for a missing key. */
	long length(String stream) {
		return number("XLEN", stream);
	}

	/** The id of the newest entry, {@code 0-0} for an empty or missing stream. */
	String lastId(String stream) {
		List<Entry> last = entries("XREVRANGE", stream, "+", "-", "COUNT", "1");
		return last.isEmpty() ? "0-0" : last.get(0).id();
	}

	/**
	 * @param stream a stream
	 * @param after an entry id
	 * @return every entry after it, oldest first (read in pages)
	 */
	List<Entry> entriesAfter(String stream, String after) {
		List<Entry> all = new ArrayList<>();
		String from = "(" + after;
		while (true) {
			List<Entry> page = entries("XRANGE", stream, from, "+", "COUNT", "500");
			all.addAll(page);
			if (page.size() < 500) {
				return all;
			}
			from = "(" + page.get(page.size() - 1).id();
		}
	}

	/** Add an entry with these fields (in order), as any tool could; returns its id. */
	String add(String stream, Map<String, String> fields) {
		List<String> args = new ArrayList<>(List.of("XADD", stream, "*"));
		fields.forEach((name, value) -> {
			args.add(name);
			args.add(value);
		});
		return (String) call(args.toArray(String[]::new));
	}

	/** {@code XINFO CONSUMERS}: name to pending count, for every consumer of the group. */
	Map<String, Long> consumersPending(String stream, String group) {
		Map<String, Long> pending = new LinkedHashMap<>();
		for (Object consumer : (List<?>) call("XINFO", "CONSUMERS", stream, group)) {
			Map<String, Object> fields = pairs((List<?>) consumer);
			pending.put((String) fields.get("name"), (Long) fields.get("pending"));
		}
		return pending;
	}

	/** {@code XINFO GROUPS}, each group's fields by name; empty for a missing stream. */
	List<Map<String, Object>> groups(String stream) {
		if (number("EXISTS", stream) == 0) {
			return List.of();
		}
		return ((List<?>) call("XINFO", "GROUPS", stream)).stream().map(group -> pairs((List<?>) group)).toList();
	}

	/**
	 * @param marker text the record's {@code items} must contain (e.g. a run's sku prefix)
	 * @return the order ids of order-app's read-model records ({@code order:orders:<id>}) still
	 * PLACED whose items contain the marker (one script, so thousands of records cost one call)
	 */
	List<String> placedRecords(String marker) {
		String script = "local found = {} "
				+ "for _, key in ipairs(redis.call('KEYS', 'order:orders:*')) do "
				+ "  if redis.call('TYPE', key).ok == 'hash' and redis.call('HGET', key, 'status') == 'PLACED' then "
				+ "    local items = redis.call('HGET', key, 'items') "
				+ "    if items and string.find(items, ARGV[1], 1, true) then table.insert(found, key) end "
				+ "  end "
				+ "end "
				+ "return found";
		return ((List<?>) call("EVAL", script, "0", marker)).stream()
			.map(key -> ((String) key).substring("order:orders:".length()))
			.toList();
	}

	/** The pending count of a group, 0 when it (or its stream) does not exist. */
	long pending(String stream, String group) {
		return groups(stream).stream()
			.filter(g -> group.equals(g.get("name")))
			.mapToLong(g -> (Long) g.get("pending"))
			.sum();
	}

	/** Keys matching a pattern, by {@code SCAN}. */
	List<String> keys(String pattern) {
		List<String> keys = new ArrayList<>();
		String cursor = "0";
		do {
			List<?> reply = (List<?>) call("SCAN", cursor, "MATCH", pattern, "COUNT", "1000");
			cursor = (String) reply.get(0);
			((List<?>) reply.get(1)).forEach(key -> keys.add((String) key));
		}
		while (!cursor.equals("0"));
		return keys;
	}

	private List<Entry> entries(String... command) {
		List<Entry> entries = new ArrayList<>();
		for (Object entry : (List<?>) call(command)) {
			List<?> parts = (List<?>) entry;
			Map<String, String> fields = new LinkedHashMap<>();
			pairs((List<?>) parts.get(1)).forEach((name, value) -> fields.put(name, (String) value));
			entries.add(new Entry((String) parts.get(0), fields));
		}
		return entries;
	}

	private static Map<String, Object> pairs(List<?> flat) {
		Map<String, Object> map = new LinkedHashMap<>();
		for (int i = 0; i + 1 < flat.size(); i += 2) {
			map.put((String) flat.get(i), flat.get(i + 1));
		}
		return map;
	}

	private static Object read(InputStream in, String command) throws IOException {
		String line = line(in);
		String rest = line.substring(1);
		return switch (line.charAt(0)) {
			case '+' -> rest;
			case ':' -> Long.parseLong(rest);
			case '-' -> throw new IllegalStateException(command + ": " + rest);
			case '$' -> {
				int length = Integer.parseInt(rest);
				if (length < 0) {
					yield null;
				}
				byte[] bytes = in.readNBytes(length + 2);
				if (bytes.length < length + 2) {
					throw new EOFException("Connection closed inside a bulk string");
				}
				yield new String(bytes, 0, length, StandardCharsets.UTF_8);
			}
			case '*' -> {
				int count = Integer.parseInt(rest);
				if (count < 0) {
					yield null;
				}
				List<Object> items = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					items.add(read(in, command));
				}
				yield items;
			}
			default -> throw new IOException("Unexpected reply to " + command + ": " + line);
		};
	}

	private static String line(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int c;
		while ((c = in.read()) != -1) {
			if (c == '\r') {
				in.read();
				return line.toString(StandardCharsets.UTF_8);
			}
			line.write(c);
		}
		throw new EOFException("Connection closed");
	}

	/**
	 * A stream entry.
	 * @param id its id
	 * @param fields its fields in order ({@code payload} and the headers)
	 */
	record Entry(String id, Map<String, String> fields) {

		String field(String name) {
			return this.fields.get(name);
		}

		/** The time part of the id: when Redis added it. */
		long millis() {
			return Long.parseLong(this.id.substring(0, this.id.indexOf('-')));
		}

	}

}
