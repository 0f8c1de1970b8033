package dev.rill.binder.redis.test;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * What the fixture's TLS option promises: a server that listens only for TLS, with a
 * certificate for 127.0.0.1 signed by a private CA that the fixture's own client (and,
 * through an SSL bundle, Spring) trusts; the certificates made with {@code openssl} or,
 * without it, with {@code keytool}.
 */
class TlsRedisServerTests {

	@Test
	void listensOnlyForTlsAndTrustsItsOwnCaAcrossRestarts() {
		try (RedisServerProcess server = RedisServerProcess.builder().tls().build()) {
			assumeThat(server.supportsTls()).as("redis-server built with TLS").isTrue();
			server.start();

			assertThat(server.uri()).isEqualTo("rediss://127.0.0.1:" + server.port());
			assertThat(server.command("PING")).isEqualTo("PONG");
			assertThat(server.command("CONFIG", "GET", "port")).isEqualTo("port\n0");
			assertThatThrownBy(() -> new RespClient(server.host(), server.port(), Duration.ofSeconds(2))
				.command("PING")).isInstanceOf(UncheckedIOException.class);
			assertThat(server.springSslProperties()).containsEntry("spring.data.redis.ssl.bundle",
					RedisServerProcess.SSL_BUNDLE)
				.containsEntry("spring.ssl.bundle.pem." + RedisServerProcess.SSL_BUNDLE + ".truststore.certificate",
						server.tlsCertificates().caCertificate().toUri().toString());
			assertThat(server.client().pipeline(new String[] { "SET", "k", "v" }, new String[] { "GET", "k" }))
				.isEqualTo(List.of("OK", "v"));

			server.restartEmpty();

			assertThat(server.command("PING")).as("same CA after a restart without data").isEqualTo("PONG");
		}
	}

	/** Slow (five keytool JVMs), so run only on request: {@code -DexcludedGroups=none}. */
	@Test
	@Tag("slow")
	void keytoolMakesCertificatesThatRedisAccepts() {
		try (RedisServerProcess server = RedisServerProcess.builder().tls().build()) {
			assumeThat(server.supportsTls()).as("redis-server built with TLS").isTrue();
			TlsCertificates.withKeytool(server.dataDirectory().resolve(RedisServerProcess.TLS_DIRECTORY));

			server.start();

			assertThat(server.command("PING")).isEqualTo("PONG");
			assertThat(server.tlsCertificates().caCertificate()).satisfies(ca -> assertThat(Files.readString(ca))
				.startsWith("-----BEGIN CERTIFICATE-----"));
		}
	}

}
