package dev.rill.e2e;

import java.nio.file.Path;
import java.util.function.Supplier;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import dev.rill.e2e.platform.Platform;

/**
 * A JUnit extension, registered in a static field of a test class, that runs the three
 * services on a transport for all the tests of that class: before them it starts the
 * transport, then the services from their jars, pointed at it, each in its own JVM and logging
 * to {@code e2e/target/e2e/<test class>/}; after them it stops the services first, then the
 * transport. A test method can take it as a parameter.
 * @param <T> the transport
 */
final class SagaPlatform<T extends SagaTransport> implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

	/** The repository's root (the services' jars are in {@code <root>/<service>/target/}). */
	private static final Path ROOT = Path.of(System.getProperty("rill.root", "..")).toAbsolutePath().normalize();

	private final Supplier<T> startTransport;

	private T transport;

	private Platform platform;

	/**
	 * @param startTransport starts the transport
	 */
	SagaPlatform(Supplier<T> startTransport) {
		this.startTransport = startTransport;
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		this.transport = this.startTransport.get();
		Path logs = Path.of(System.getProperty("rill.e2e.output", "target/e2e"))
			.resolve(context.getRequiredTestClass().getSimpleName());
		this.platform = this.transport.configure(Platform.builder(ROOT)).logDirectory(logs).build();
		// Assigned before it starts: a service that did start is stopped after all the same.
		this.platform.start();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		try {
			if (this.platform != null) {
				this.platform.stop();
			}
		}
		finally {
			if (this.transport != null) {
				this.transport.close();
			}
		}
	}

	@Override
	public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
		return parameter.getParameter().getType() == SagaPlatform.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
		return this;
	}

	/**
	 * @return the running services
	 */
	Platform platform() {
		return this.platform;
	}

	/**
	 * @return what carries their events
	 */
	T transport() {
		return this.transport;
	}

}
