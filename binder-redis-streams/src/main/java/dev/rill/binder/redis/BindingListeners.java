package dev.rill.binder.redis;

import dev.rill.binder.redis.inbound.ConsumerBindingListener;
import dev.rill.binder.redis.outbound.RedisStreamsMessageHandler.SendListener;

/**
 * Gives each binding the listener that is told what happens to its messages, for example
 * to count them in metrics. The binder asks once per binding; an implementation may hand
 * out the same listener for bindings that share a destination and group.
 */
public interface BindingListeners {

	/** Listeners that ignore everything. */
	BindingListeners NONE = new BindingListeners() {

		@Override
		public ConsumerBindingListener consumer(String destination, String group) {
			return ConsumerBindingListener.NONE;
		}

		@Override
		public SendListener producer(String destination) {
			return SendListener.NONE;
		}

	};

	/**
	 * @param destination the destination a consumer binding reads
	 * @param group its group (for anonymous bindings, the generated group)
	 * @return the listener of that binding
	 */
	ConsumerBindingListener consumer(String destination, String group);

	/**
	 * @param destination the destination a producer binding writes
	 * @return the listener of that binding
	 */
	SendListener producer(String destination);

}
