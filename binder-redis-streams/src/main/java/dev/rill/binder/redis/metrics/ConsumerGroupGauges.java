package dev.rill.binder.redis.metrics;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.rill.binder.redis.RedisStreamsMessageChannelBinder;
import dev.rill.binder.redis.inbound.RedisStreamsMessageDrivenChannelAdapter;
import dev.rill.binder.redis.provisioning.RedisErrorReply;
import dev.rill.binder.redis.provisioning.RedisStreamConsumerDestination;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The gauges {@code redis.streams.consumer.lag} and {@code redis.streams.consumer.pending}
 * of every consumer binding, tagged with {@code destination} and {@code group} and summed
 * over the binding's stream keys.
 * <p>
 * They query Redis, so they are refreshed on the binder's {@code metrics-refresh-interval}
 * by a thread of their own, and a scrape only reads the last values: scraping often never
 * loads Redis, and a Redis that does not answer never blocks a scrape.
 */
public class ConsumerGroupGauges implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ConsumerGroupGauges.class);

	private final RedisStreamsMessageChannelBinder binder;

	private final ConsumerGroupStats stats;

	private final MeterRegistry registry;

	private final Duration refreshInterval;

	private final Map<Tags, GroupGauges> gauges = new ConcurrentHashMap<>();

	private ScheduledExecutorService scheduler;

	private volatile boolean failing;

	public ConsumerGroupGauges(RedisStreamsMessageChannelBinder binder,
			RedisConnectionFactory connectionFactory, MeterRegistry registry,
			Duration refreshInterval) {
		this.binder = binder;
		this.stats = new ConsumerGroupStats(connectionFactory);
		this.registry = registry;
		this.refreshInterval = refreshInterval;
	}

	@Override
	public synchronized void start() {
		this.scheduler = Executors.newSingleThreadScheduledExecutor(new CustomizableThreadFactory("redis-metrics-"));
		this.scheduler.scheduleWithFixedDelay(this::refresh, 0, this.refreshInterval.toMillis(),
				TimeUnit.MILLISECONDS);
	}

	@Override
	public synchronized void stop() {
		if (this.scheduler != null) {
			this.scheduler.shutdownNow();
			this.scheduler = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.scheduler != null;
	}

	/**
	 * Query every bound consumer group once and update the gauges; gauges of bindings
	 * that are gone are removed.
	 */
	public void refresh() {
		Set<Tags> seen = new HashSet<>();
		try {
			for (RedisStreamsMessageDrivenChannelAdapter endpoint : this.binder.getConsumerEndpoints()) {
				RedisStreamConsumerDestination destination = endpoint.getDestination();
				Tags tags = Tags.of("destination", destination.getName(), "group", destination.getGroup());
				seen.add(tags);
				ConsumerGroupStats.Stats total = new ConsumerGroupStats.Stats(0, 0);
				for (String key : destination.getKeys()) {
					total = total.plus(this.stats.read(key, destination.getGroup()));
				}
				GroupGauges group = this.gauges.computeIfAbsent(tags, GroupGauges::new);
				group.lag.set(total.lag());
				group.pending.set(total.pending());
			}
			this.failing = false;
		}
		catch (RuntimeException ex) {
			if (!this.failing) {
				this.failing = true;
				logger.warn("Could not refresh the lag and pending gauges: " + RedisErrorReply.reasonOf(ex)
						+ "; they keep their last values until Redis answers");
			}
			return;
		}
		this.gauges.keySet().removeIf(tags -> {
			if (seen.contains(tags)) {
				return false;
			}
			this.gauges.get(tags).remove();
			return true;
		});
	}

	private final class GroupGauges {

		private final AtomicLong lag = new AtomicLong();

		private final AtomicLong pending = new AtomicLong();

		private final List<Gauge> meters;

		GroupGauges(Tags tags) {
			this.meters = List.of(
					Gauge.builder(MicrometerBindingListeners.CONSUMER + ".lag", this.lag, AtomicLong::get)
						.description("Entries not yet delivered to the group")
						.tags(tags)
						.register(ConsumerGroupGauges.this.registry),
					Gauge.builder(MicrometerBindingListeners.CONSUMER + ".pending", this.pending, AtomicLong::get)
						.description("Entries delivered to the group and not acknowledged")
						.tags(tags)
						.register(ConsumerGroupGauges.this.registry));
		}

		void remove() {
			this.meters.forEach(ConsumerGroupGauges.this.registry::remove);
		}

	}

}
