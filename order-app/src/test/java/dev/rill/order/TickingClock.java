package dev.rill.order;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * A clock that moves one second on every read and counts the reads: a second write of a
 * timestamp shows, and the number of reads tells how often code that stamps once per attempt
 * ran.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TickingClock {

	/** Reads since the last {@link #reset()}. */
	public static final AtomicInteger ticks = new AtomicInteger();

	private static final Instant START = Instant.parse("2024-05-01T12:00:00Z");

	/** Start counting from zero. */
	public static void reset() {
		ticks.set(0);
	}

	@Bean
	@Primary
	Clock tickingClock() {
		return new Clock() {
			@Override
			public Instant instant() {
				return START.plus(Duration.ofSeconds(ticks.incrementAndGet()));
			}

			@Override
			public ZoneId getZone() {
				return ZoneOffset.UTC;
			}

			@Override
			public Clock withZone(ZoneId zone) {
				return this;
			}
		};
	}

}
