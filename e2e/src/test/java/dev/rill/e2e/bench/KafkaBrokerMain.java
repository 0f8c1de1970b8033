package dev.rill.e2e.bench;

import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A single-node KRaft Kafka broker (spring-kafka-test's {@link EmbeddedKafkaKraftBroker}) in a
 * JVM of its own, so that it shares neither heap nor garbage collector with the application it
 * is measured with (as Redis, a process of its own, does not). Writes its bootstrap address to
 * the file named by its argument, then runs until its standard input closes or it is killed.
 */
public final class KafkaBrokerMain {

	private KafkaBrokerMain() {
	}

	public static void main(String[] args) throws Exception {
		EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
		broker.brokerProperty("group.initial.rebalance.delay.ms", "0");
		broker.afterPropertiesSet();
		Path ready = Path.of(args[0]);
		Path temporary = ready.resolveSibling(ready.getFileName() + ".tmp");
		Files.writeString(temporary, broker.getBrokersAsString());
		Files.move(temporary, ready);
		System.out.println("Kafka broker at " + broker.getBrokersAsString());
		while (System.in.read() >= 0) {
			// Until the harness closes our standard input.
		}
		broker.destroy();
		System.exit(0);
	}

}
