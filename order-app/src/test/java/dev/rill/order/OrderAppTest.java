package dev.rill.order;

import dev.rill.binder.redis.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.binder.test.InputDestination;
import org.springframework.cloud.stream.binder.test.OutputDestination;
import org.springframework.cloud.stream.binder.test.TestChannelBinderConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.integration.channel.PublishSubscribeChannel;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole application on a real Redis (the binder's fixture, on a private port), with Spring
 * Cloud Stream's test binder in place of the transport. The test classes extending it share
 * one application context; the fixture gives each class a fresh server on the same port, and
 * every test starts from an empty Redis and empty destinations.
 */
@SpringBootTest(properties = { "spring.cloud.stream.default-binder=" + TestChannelBinderConfiguration.NAME,
		// The shared configuration's retries (max-attempts 3), without the waiting.
		"spring.cloud.stream.default.consumer.back-off-initial-interval=1",
		"spring.cloud.stream.default.consumer.back-off-max-interval=1" })
@AutoConfigureMockMvc
@Import({ TestChannelBinderConfiguration.class, TickingClock.class })
public abstract class OrderAppTest {

	@RegisterExtension
	protected static final RedisServerExtension redis = RedisServerExtension.create();

	@DynamicPropertySource
	static void redisProperties(DynamicPropertyRegistry registry) {
		redis.registerSpringProperties(registry);
	}

	@Autowired
	protected InputDestination input;

	@Autowired
	protected OutputDestination output;

	@Autowired
	@Qualifier("errorChannel")
	private PublishSubscribeChannel errorChannel;

	/** What the bindings gave up on (after their retries) during the test. */
	protected final ErrorCollector errors = new ErrorCollector();

	@BeforeEach
	void cleanSlate() {
		redis.flushAll();
		this.output.clear();
		TickingClock.reset();
		this.errorChannel.subscribe(this.errors);
	}

	@AfterEach
	void stopCollectingErrors() {
		this.errorChannel.unsubscribe(this.errors);
	}

}
