package dev.rill.e2e.faults;

import dev.rill.e2e.platform.Platform;
import dev.rill.e2e.platform.RillClient;

/**
 * What a fault test works on, whichever binder carries the events: the three services, the
 * Redis that holds their state, and the events in transit ({@link EventLog}). Implemented by
 * {@link FaultPlatform} (Redis binder) and {@link KafkaFaultPlatform} (Kafka binder).
 */
interface FaultTarget {

	/**
	 * @return the services
	 */
	Platform platform();

	/**
	 * @return a client of their HTTP APIs
	 */
	default RillClient client() {
		return platform().client();
	}

	/**
	 * @return the services' Redis: their state (read model, stock, notifications), and on the
	 * Redis binder their transport too
	 */
	Redis redis();

	/**
	 * @return the streams or topics the saga's events travel through
	 */
	EventLog events();

}
