package dev.rill.order.api;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A class a malicious request names in {@code "@class"}: if JSON could choose the class to
 * instantiate, this one's constructor would count it.
 */
public class Canary {

	static final AtomicInteger instances = new AtomicInteger();

	public Canary() {
		instances.incrementAndGet();
	}

	public void setCommand(String command) {
		instances.incrementAndGet();
	}

}
