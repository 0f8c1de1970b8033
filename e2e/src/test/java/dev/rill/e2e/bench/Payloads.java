package dev.rill.e2e.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The benchmark's messages: {@code size} bytes whose first 8 are the {@link System#nanoTime()}
 * of the send and the next 8 a sequence number; the rest is filler. Producer and consumer run in
 * one JVM, so the consumer's {@code nanoTime()} minus the first 8 bytes is the latency.
 */
final class Payloads {

	/** Bytes taken by the send time and the sequence number. */
	static final int HEADER = 16;

	private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

	private final byte[] filler;

	Payloads(int size) {
		this.filler = new byte[size];
		Arrays.fill(this.filler, (byte) 'x');
	}

	/**
	 * @param sequence the message's sequence number
	 * @return a new payload stamped with the current {@code nanoTime()}
	 */
	byte[] next(long sequence) {
		byte[] payload = this.filler.clone();
		LONGS.set(payload, 8, sequence);
		LONGS.set(payload, 0, System.nanoTime());
		return payload;
	}

	static long sentAt(byte[] payload) {
		return (long) LONGS.get(payload, 0);
	}

	static long sequence(byte[] payload) {
		return (long) LONGS.get(payload, 8);
	}

}
