package dev.rill.notification;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.MDC;

import dev.rill.notification.channel.NotificationChannel;
import dev.rill.notification.notify.Notice;

/**
 * A test channel: records what it accepted together with the MDC at the time of the
 * call, and can be switched to fail (an outage), to fail a number of calls, or to refuse.
 */
public class RecordingChannel implements NotificationChannel {

	/**
	 * @param notice what was accepted
	 * @param mdc the caller's MDC during the call
	 */
	public record Accepted(Notice notice, Map<String, String> mdc) {
	}

	private final List<Accepted> accepted = new CopyOnWriteArrayList<>();

	private final AtomicBoolean down = new AtomicBoolean();

	private final AtomicInteger failNext = new AtomicInteger();

	private final AtomicInteger failedCalls = new AtomicInteger();

	private final AtomicInteger calls = new AtomicInteger();

	private final AtomicReference<RuntimeException> refusal = new AtomicReference<>();

	@Override
	public String name() {
		return "test";
	}

	@Override
	public void send(Notice notice) {
		this.calls.incrementAndGet();
		RuntimeException refused = this.refusal.get();
		if (refused != null) {
			throw refused;
		}
		if (this.down.get() || this.failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
			this.failedCalls.incrementAndGet();
			throw new IllegalStateException("test channel is down");
		}
		Map<String, String> mdc = MDC.getCopyOfContextMap();
		this.accepted.add(new Accepted(notice, (mdc != null) ? mdc : Map.of()));
	}

	/** @param down whether every call fails until switched back */
	public void down(boolean down) {
		this.down.set(down);
	}

	/** @param calls how many of the next calls fail */
	public void failNext(int calls) {
		this.failNext.set(calls);
	}

	/** @param refusal thrown by every call until cleared with {@code null} */
	public void refuse(RuntimeException refusal) {
		this.refusal.set(refusal);
	}

	/** @return what was accepted, in order */
	public List<Accepted> accepted() {
		return List.copyOf(this.accepted);
	}

	/** @return the order ids of what was accepted, in order */
	public List<String> acceptedOrderIds() {
		return this.accepted.stream().map(a -> a.notice().orderId()).toList();
	}

	/** @return how many calls failed */
	public int failedCalls() {
		return this.failedCalls.get();
	}

	/** @return how many calls were made, whatever their outcome */
	public int calls() {
		return this.calls.get();
	}

	/** Forget everything and work normally. */
	public void reset() {
		this.accepted.clear();
		this.calls.set(0);
		this.down.set(false);
		this.failNext.set(0);
		this.failedCalls.set(0);
		this.refusal.set(null);
	}

}
