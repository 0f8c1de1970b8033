package dev.rill.binder.redis.provisioning;

import org.springframework.cloud.stream.provisioning.ProvisioningException;
import org.springframework.lang.Nullable;

/**
 * A destination's Redis key exists but holds something other than a stream (a string, a
 * hash, ...). The binder never overwrites it, so the binding cannot work until the
 * destination, the key prefix or the key changes.
 */
public class StreamKeyTypeException extends ProvisioningException {

	private static final long serialVersionUID = 1L;

	private final String key;

	private final String type;

	@Nullable
	private final String bindingName;

	/**
	 * @param key the Redis key
	 * @param type what it holds, as Redis' {@code TYPE} names it ({@code string}, {@code hash}, ...)
	 */
	public StreamKeyTypeException(String key, String type) {
		super("Redis key '" + key + "' exists but holds a " + type
				+ ", not a stream: choose another destination or set spring.cloud.stream.redis.binder.key-prefix");
		this.key = key;
		this.type = type;
		this.bindingName = null;
	}

	private StreamKeyTypeException(StreamKeyTypeException cause, String bindingName) {
		super(cause.getMessage() + " (the destination of binding '" + bindingName + "', set by "
				+ destinationProperty(bindingName) + ")", cause);
		this.key = cause.key;
		this.type = cause.type;
		this.bindingName = bindingName;
	}

	/**
	 * @param bindingName the binding whose destination the key is
	 * @return the same failure, naming the binding and its destination property
	 */
	public StreamKeyTypeException forBinding(String bindingName) {
		return new StreamKeyTypeException(this, bindingName);
	}

	/**
	 * @return the Redis key
	 */
	public String getKey() {
		return this.key;
	}

	/**
	 * @return what the key holds instead of a stream, for example {@code string}
	 */
	public String getType() {
		return this.type;
	}

	/**
	 * @return the binding whose destination the key is, when known
	 */
	@Nullable
	public String getBindingName() {
		return this.bindingName;
	}

	/**
	 * @param bindingName a binding
	 * @return the property that sets its destination
	 */
	public static String destinationProperty(String bindingName) {
		return "spring.cloud.stream.bindings." + bindingName + ".destination";
	}

}
