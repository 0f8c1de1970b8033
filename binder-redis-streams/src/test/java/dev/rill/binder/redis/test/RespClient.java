package dev.rill.binder.redis.test;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A minimal RESP2 client for test fixtures: sends one command over a fresh socket and
 * returns the reply as text.
 * <p>
 * It exists so that fixtures and fault-injection tests can drive a server ({@code PING},
 * {@code SHUTDOWN}, {@code FLUSHALL}, {@code DEBUG SLEEP}, {@code XLEN}...) without going
 * through the client library under test, whose connection pooling and reconnect logic is
 * exactly what such tests want to observe from the outside. A fresh connection per command
 * also means a killed server never leaves a broken connection behind in the fixture.
 * <p>
 * With an {@link SSLSocketFactory} it speaks TLS (to a server's {@code tls-port}); with
 * {@link #pipeline(String[]...)} several commands share one connection, for commands whose
 * meaning depends on the connection, such as {@code WAIT} after a write.
 */
public final class RespClient {

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

	private static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

	private final String host;

	private final int port;

	private final Duration readTimeout;

	private final SSLSocketFactory tls;

	/**
	 * A client that waits up to 10 seconds for each reply.
	 * @param host the server's host
	 * @param port the server's port
	 */
	public RespClient(String host, int port) {
		this(host, port, DEFAULT_READ_TIMEOUT);
	}

	/**
	 * @param host the server's host
	 * @param port the server's port
	 * @param readTimeout how long to wait for a reply (raise it for e.g. {@code DEBUG SLEEP 15})
	 */
	public RespClient(String host, int port, Duration readTimeout) {
		this(host, port, readTimeout, null);
	}

	/**
	 * @param host the server's host
	 * @param port the server's port
	 * @param readTimeout how long to wait for a reply
	 * @param tls the factory of TLS sockets (trusting the server's certificate), or
	 * {@code null} for plain TCP
	 */
	public RespClient(String host, int port, Duration readTimeout, SSLSocketFactory tls) {
		this.host = host;
		this.port = port;
		this.readTimeout = readTimeout;
		this.tls = tls;
	}

	/**
	 * Send one command on a new connection and read its reply.
	 * @param args the command and its arguments, e.g. {@code "XLEN", "orders"}
	 * @return the reply as text: a simple string or integer as is ({@code "PONG"},
	 * {@code "3"}); an error with its leading {@code -} ({@code "-ERR unknown command"}); a
	 * bulk string decoded as UTF-8; the elements of an array, nested arrays flattened, joined
	 * by newlines; {@code null} for a null bulk string or array, and when the server closed
	 * the connection without replying (as {@code SHUTDOWN} does when it succeeds)
	 * @throws UncheckedIOException when the server cannot be reached or the reply times out
	 */
	public String command(String... args) {
		if (args.length == 0) {
			throw new IllegalArgumentException("A command is needed");
		}
		return pipeline(args).get(0);
	}

	/**
	 * Send commands on one new connection, one after the other, and read their replies.
	 * @param commands each command with its arguments
	 * @return the replies in order, as {@link #command(String...)} renders them
	 * @throws UncheckedIOException when the server cannot be reached or a reply times out
	 */
	public List<String> pipeline(String[]... commands) {
		for (String[] args : commands) {
			if (args.length == 0) {
				throw new IllegalArgumentException("A command is needed");
			}
		}
		try (Socket socket = connect()) {
			OutputStream out = socket.getOutputStream();
			BufferedInputStream in = new BufferedInputStream(socket.getInputStream());
			List<String> replies = new ArrayList<>();
			for (String[] args : commands) {
				out.write(encode(args));
				out.flush();
				replies.add(readReply(in));
			}
			return replies;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Redis on " + this.host + ":" + this.port + " did not answer "
					+ commands[0][0] + ": " + ex, ex);
		}
	}

	private Socket connect() throws IOException {
		Socket socket = new Socket();
		try {
			socket.connect(new InetSocketAddress(this.host, this.port), (int) CONNECT_TIMEOUT.toMillis());
			socket.setSoTimeout((int) this.readTimeout.toMillis());
			if (this.tls == null) {
				return socket;
			}
			SSLSocket secure = (SSLSocket) this.tls.createSocket(socket, this.host, this.port, true);
			secure.startHandshake();
			return secure;
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	// Commands are sent as RESP arrays of bulk strings (not inline commands), so arguments
	// may hold spaces, quotes or be empty, e.g. CONFIG SET save "".
	private static byte[] encode(String... args) {
		ByteArrayOutputStream request = new ByteArrayOutputStream();
		writeAscii(request, "*" + args.length + "\r\n");
		for (String arg : args) {
			byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
			writeAscii(request, "$" + bytes.length + "\r\n");
			request.writeBytes(bytes);
			writeAscii(request, "\r\n");
		}
		return request.toByteArray();
	}

	private static void writeAscii(ByteArrayOutputStream out, String text) {
		out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
	}

	private static String readReply(InputStream in) throws IOException {
		String line = readLine(in);
		if (line == null) {
			return null;
		}
		if (line.isEmpty()) {
			throw new IOException("Empty RESP reply line");
		}
		String rest = line.substring(1);
		switch (line.charAt(0)) {
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
				if (bytes.length < length + 2) {
					throw new EOFException("Connection closed inside a bulk string");
				}
				return new String(bytes, 0, length, StandardCharsets.UTF_8);
			}
			case '*' -> {
				int count = Integer.parseInt(rest);
				if (count < 0) {
					return null;
				}
				StringBuilder joined = new StringBuilder();
				for (int i = 0; i < count; i++) {
					joined.append((i > 0) ? "\n" : "").append(readReply(in));
				}
				return joined.toString();
			}
			default -> throw new IOException("Unexpected RESP reply: " + line);
		}
	}

	// Header lines (+OK, :3, $5, *2, -ERR ...) are ASCII apart from error messages, which
	// are decoded as UTF-8 like bulk strings.
	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int c;
		while ((c = in.read()) != -1) {
			if (c == '\r') {
				in.read(); // '\n'
				return line.toString(StandardCharsets.UTF_8);
			}
			line.write(c);
		}
		if (line.size() > 0) {
			throw new EOFException("Connection closed inside a reply: " + line.toString(StandardCharsets.UTF_8));
		}
		return null;
	}

}
