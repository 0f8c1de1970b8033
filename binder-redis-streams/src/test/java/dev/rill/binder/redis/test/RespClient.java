package dev.rill.binder.redis.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal RESP client for test fixtures: sends one command over a fresh socket and
 * returns the reply as text. It exists so that fixtures can drive a server (PING,
 * SHUTDOWN, FLUSHALL) without depending on the client library under test.
 */
public final class RespClient {

	private final String host;

	private final int port;

	public RespClient(String host, int port) {
		this.host = host;
		this.port = port;
	}

	/**
	 * @param args the command and its arguments
	 * @return the reply: a simple string, an error (starting with {@code -}), an integer, a
	 * bulk string or the elements of an array joined by newlines
	 * @throws UncheckedIOException when the server cannot be reached
	 */
	public String command(String... args) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(this.host, this.port), 1000);
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
			for (String arg : args) {
				byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
				request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
			}
			out.write(request.toString().getBytes(StandardCharsets.UTF_8));
			out.flush();
			return readReply(socket.getInputStream());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Redis on " + this.host + ":" + this.port + " did not answer", ex);
		}
	}

	private static String readReply(InputStream in) throws IOException {
		String line = readLine(in);
		if (line == null) {
			return null;
		}
		char type = line.charAt(0);
		String rest = line.substring(1);
		switch (type) {
			case '+', ':' -> {
				return rest;
			}
			case '-' -> {
				return line;
			}
			case '$' -> {
				int length = Integer.parseInt(rest);
				if (length < 0) {
					return null;
				}
				byte[] bytes = in.readNBytes(length + 2);
				return new String(bytes, 0, length, StandardCharsets.UTF_8);
			}
			case '*' -> {
				int count = Integer.parseInt(rest);
				StringBuilder joined = new StringBuilder();
				for (int i = 0; i < count; i++) {
					joined.append(i > 0 ? "\n" : "").append(readReply(in));
				}
				return joined.toString();
			}
			default -> throw new IOException("Unexpected RESP reply: " + line);
		}
	}

	private static String readLine(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		int c;
		while ((c = in.read()) != -1) {
			if (c == '\r') {
				in.read();
				return line.toString();
			}
			line.append((char) c);
		}
		return (line.length() > 0) ? line.toString() : null;
	}

}
