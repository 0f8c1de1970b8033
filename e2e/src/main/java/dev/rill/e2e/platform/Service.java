package dev.rill.e2e.platform;

import java.nio.file.Path;

/**
 * The three services of the saga, with the ports they use when run alone.
 */
public enum Service {

	/** HTTP intake of orders and the order read model. */
	ORDER("order-app", 8080),

	/** Stock and reservations. */
	INVENTORY("inventory-app", 8081),

	/** Tells the customer. */
	NOTIFICATION("notification-app", 8082);

	private final String artifact;

	private final int defaultPort;

	Service(String artifact, int defaultPort) {
		this.artifact = artifact;
		this.defaultPort = defaultPort;
	}

	/**
	 * @return its Maven module and artifact, e.g. {@code order-app}
	 */
	public String artifact() {
		return this.artifact;
	}

	/**
	 * @return its {@code server.port} in its own {@code application.yml}
	 */
	public int defaultPort() {
		return this.defaultPort;
	}

	/**
	 * @param repositoryRoot the root of the Rill repository
	 * @return its repackaged jar, {@code <root>/<artifact>/target/<artifact>.jar}
	 */
	public Path jar(Path repositoryRoot) {
		return repositoryRoot.resolve(this.artifact).resolve("target").resolve(this.artifact + ".jar");
	}

}
