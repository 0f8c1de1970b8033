package dev.rill.order;

import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.integration.channel.AbstractMessageChannel;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.ChannelInterceptor;

/**
 * Counts the deliveries of messages into a function's input binding channel (one per attempt:
 * the binding's retries send the message again), until closed.
 */
public final class AttemptCounter implements ChannelInterceptor, AutoCloseable {

	private final AbstractMessageChannel channel;

	private final AtomicInteger attempts = new AtomicInteger();

	private AttemptCounter(AbstractMessageChannel channel) {
		this.channel = channel;
	}

	/**
	 * @param bindingChannel the input channel of a function binding, e.g. {@code confirmOrder-in-0}
	 * @return a counter that counts from now on
	 */
	public static AttemptCounter on(MessageChannel bindingChannel) {
		AttemptCounter counter = new AttemptCounter((AbstractMessageChannel) bindingChannel);
		// First: an interceptor before it that refuses the message (JsonArrayPayloadGuard) ends the attempt.
		counter.channel.addInterceptor(0, counter);
		return counter;
	}

	@Override
	public Message<?> preSend(Message<?> message, MessageChannel channel) {
		this.attempts.incrementAndGet();
		return message;
	}

	/**
	 * @return the attempts counted so far
	 */
	public int attempts() {
		return this.attempts.get();
	}

	@Override
	public void close() {
		this.channel.removeInterceptor(this);
	}

}
