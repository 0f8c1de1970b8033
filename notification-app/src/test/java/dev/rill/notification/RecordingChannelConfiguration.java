package dev.rill.notification;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * Replaces the configured outbound channel with a {@link RecordingChannel}.
 */
@TestConfiguration(proxyBeanMethods = false)
public class RecordingChannelConfiguration {

	@Bean
	@Primary
	RecordingChannel recordingChannel() {
		return new RecordingChannel();
	}

}
