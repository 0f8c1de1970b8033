package dev.rill.binder.redis.outbound;

import java.util.ArrayList;
import java.util.List;

import dev.rill.binder.redis.StartedApplications;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application the producer binding tests start: no functions, only the output binding
 * {@code out-0} to destination {@code orders}, which a test sends to with
 * {@code StreamBridge}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class ProducerApplication {

	/**
	 * @param applications the test's applications, which close it after the test
	 * @param extra further {@code key=value} properties, e.g. the producer's settings
	 * @return the running application
	 */
	static ConfigurableApplicationContext start(StartedApplications applications, String... extra) {
		List<String> properties = new ArrayList<>(List.of("spring.cloud.stream.bindings.out-0.destination=orders"));
		properties.addAll(List.of(extra));
		return applications.start(ProducerApplication.class, properties.toArray(String[]::new));
	}

}
