package dev.rill.binder.redis.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private certificate authority and a server certificate it signed, valid for
 * {@code 127.0.0.1} and {@code localhost} (subject alternative names, so clients that
 * verify host names accept it), as PEM files that {@code redis-server} reads:
 * <ul>
 * <li>{@value #CA_CERTIFICATE}: the CA's certificate, what a client trusts (Spring Boot:
 * {@code spring.ssl.bundle.pem.<bundle>.truststore.certificate});</li>
 * <li>{@value #SERVER_CERTIFICATE} and {@value #SERVER_KEY}: the server's certificate and
 * unencrypted private key ({@code tls-cert-file}, {@code tls-key-file}).</li>
 * </ul>
 * EC P-256 keys, valid for two days. Made with {@code openssl} when it is on {@code PATH},
 * otherwise with the running JDK's {@code keytool} (slower: one JVM per step).
 */
public final class TlsCertificates {

	/** The CA certificate's file name. */
	public static final String CA_CERTIFICATE = "ca.crt";

	/** The server certificate's file name. */
	public static final String SERVER_CERTIFICATE = "server.crt";

	/** The server private key's file name (PKCS#8 PEM, not encrypted). */
	public static final String SERVER_KEY = "server.key";

	private static final Logger logger = LoggerFactory.getLogger(TlsCertificates.class);

	private static final String SUBJECT_ALTERNATIVE_NAMES = "IP:127.0.0.1,DNS:localhost";

	private static final String STORE_PASSWORD = "changeit";

	private final Path directory;

	private volatile SSLSocketFactory socketFactory;

	private TlsCertificates(Path directory) {
		this.directory = directory;
	}

	/**
	 * Create the CA and the server certificate in {@code directory} (created if needed),
	 * unless they are there already.
	 * @param directory where the PEM files go
	 * @return the certificates
	 */
	public static TlsCertificates in(Path directory) {
		TlsCertificates certificates = new TlsCertificates(directory);
		if (!Files.isRegularFile(certificates.caCertificate()) || !Files.isRegularFile(certificates.serverKey())
				|| !Files.isRegularFile(certificates.serverCertificate())) {
			certificates.generate(Executables.onPath("openssl").isPresent());
		}
		return certificates;
	}

	/**
	 * As {@link #in(Path)}, always with {@code keytool}: to test that way of making them.
	 */
	static TlsCertificates withKeytool(Path directory) {
		TlsCertificates certificates = new TlsCertificates(directory);
		certificates.generate(false);
		return certificates;
	}

	/**
	 * @return the CA certificate (PEM)
	 */
	public Path caCertificate() {
		return this.directory.resolve(CA_CERTIFICATE);
	}

	/**
	 * @return the server certificate (PEM)
	 */
	public Path serverCertificate() {
		return this.directory.resolve(SERVER_CERTIFICATE);
	}

	/**
	 * @return the server's private key (PEM)
	 */
	public Path serverKey() {
		return this.directory.resolve(SERVER_KEY);
	}

	/**
	 * @return a factory of TLS client sockets that trust the CA (and only it)
	 */
	public SSLSocketFactory socketFactory() {
		SSLSocketFactory factory = this.socketFactory;
		if (factory == null) {
			factory = createSocketFactory();
			this.socketFactory = factory;
		}
		return factory;
	}

	private SSLSocketFactory createSocketFactory() {
		try (InputStream in = Files.newInputStream(caCertificate())) {
			Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
			KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
			trusted.load(null, null);
			trusted.setCertificateEntry("ca", ca);
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(trusted);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, trust.getTrustManagers(), null);
			return context.getSocketFactory();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot trust " + caCertificate(), ex);
		}
	}

	private void generate(boolean openssl) {
		long begin = System.nanoTime();
		try {
			Files.createDirectories(this.directory);
			if (openssl) {
				generateWithOpenssl();
			}
			else {
				generateWithKeytool();
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not create TLS certificates in " + this.directory, ex);
		}
		logger.info("Created a test CA and a server certificate for {} with {} in {} ms: {}",
				SUBJECT_ALTERNATIVE_NAMES, openssl ? "openssl" : "keytool",
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), this.directory);
	}

	private void generateWithOpenssl() throws IOException {
		Path extensions = this.directory.resolve("server.ext");
		Files.writeString(extensions, "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
				+ "extendedKeyUsage=serverAuth\nsubjectAltName=" + SUBJECT_ALTERNATIVE_NAMES + "\n");
		run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
				"-keyout", "ca.key", "-out", CA_CERTIFICATE, "-days", "2", "-subj", "/CN=Rill test CA", "-addext",
				"basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
		run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
				"-keyout", SERVER_KEY, "-out", "server.csr", "-subj", "/CN=localhost");
		run("openssl", "x509", "-req", "-in", "server.csr", "-CA", CA_CERTIFICATE, "-CAkey", "ca.key",
				"-CAcreateserial", "-out", SERVER_CERTIFICATE, "-days", "2", "-extfile", "server.ext");
	}

	private void generateWithKeytool() throws IOException {
		String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
		keytool(keytool, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
				"CN=Rill test CA", "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12");
		keytool(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
				"CN=localhost", "-validity", "2", "-keystore", "server.p12");
		keytool(keytool, "-certreq", "-alias", "server", "-keystore", "server.p12", "-file", "server.csr");
		keytool(keytool, "-gencert", "-alias", "ca", "-keystore", "ca.p12", "-infile", "server.csr", "-outfile",
				SERVER_CERTIFICATE, "-rfc", "-validity", "2", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-ext",
				"EKU=serverAuth");
		keytool(keytool, "-exportcert", "-alias", "ca", "-keystore", "ca.p12", "-rfc", "-file", CA_CERTIFICATE);
		// keytool exports certificates as PEM but never private keys: the key is read from
		// the PKCS#12 file and written as PKCS#8 PEM, which OpenSSL (and so Redis) reads.
		try (InputStream in = Files.newInputStream(this.directory.resolve("server.p12"))) {
			KeyStore keyStore = KeyStore.getInstance("PKCS12");
			keyStore.load(in, STORE_PASSWORD.toCharArray());
			PrivateKey key = (PrivateKey) keyStore.getKey("server", STORE_PASSWORD.toCharArray());
			String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
				.encodeToString(key.getEncoded());
			Files.writeString(serverKey(), "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n");
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Could not read the server key keytool made", ex);
		}
	}

	private void keytool(String keytool, String... args) throws IOException {
		List<String> command = new ArrayList<>(List.of(keytool));
		command.addAll(List.of(args));
		command.addAll(List.of("-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-noprompt"));
		run(command.toArray(String[]::new));
	}

	private void run(String... command) throws IOException {
		Process process = new ProcessBuilder(command).directory(this.directory.toFile())
			.redirectErrorStream(true)
			.start();
		String output;
		try (InputStream in = process.getInputStream()) {
			output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		try {
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("Did not finish within 60 s: " + String.join(" ", command));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while creating certificates", ex);
		}
		if (process.exitValue() != 0) {
			throw new IllegalStateException(
					"Exit code " + process.exitValue() + " of " + String.join(" ", command) + ":\n" + output);
		}
	}

	@Override
	public String toString() {
		return "TLS certificates in " + this.directory;
	}

}
