package dev.rill.e2e.faults;

import java.util.function.Supplier;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit extension that hands one platform to all the tests of a run that take it as a
 * parameter (starting one takes half a minute or more): started by the first test that asks for
 * it, closed by JUnit when all tests ran.
 * @param <T> the platform's class, which is the extension too
 */
abstract class SharedPlatform<T extends AutoCloseable> implements ParameterResolver {

	private final Class<T> type;

	private final Supplier<T> start;

	/**
	 * @param type the platform's class: one instance per class, handed to parameters of that type
	 * @param start starts the platform
	 */
	SharedPlatform(Class<T> type, Supplier<T> start) {
		this.type = type;
		this.start = start;
	}

	@Override
	public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
		return parameter.getParameter().getType() == this.type;
	}

	@Override
	public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
		return shared(context);
	}

	/**
	 * @param context a test's context
	 * @return the one instance
	 */
	T shared(ExtensionContext context) {
		return this.type.cast(context.getRoot()
			.getStore(Namespace.create(this.type))
			.getOrComputeIfAbsent("platform", key -> new Closer(this.start.get()), Closer.class).platform());
	}

	/**
	 * Start a platform, or close what it started so far when that fails.
	 * @param platform the platform
	 * @param start starts it
	 * @param <P> the platform's class
	 * @return the platform, started
	 */
	static <P extends AutoCloseable> P started(P platform, Runnable start) {
		try {
			start.run();
			return platform;
		}
		catch (RuntimeException ex) {
			try {
				platform.close();
			}
			catch (Exception closing) {
				ex.addSuppressed(closing);
			}
			throw ex;
		}
	}

	private record Closer(AutoCloseable platform) implements ExtensionContext.Store.CloseableResource {

		@Override
		public void close() throws Exception {
			this.platform.close();
		}

	}

}
