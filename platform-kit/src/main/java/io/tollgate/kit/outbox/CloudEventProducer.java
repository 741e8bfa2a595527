package io.tollgate.kit.outbox;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import io.cloudevents.core.message.Encoding;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * The one Kafka producer of a service: CloudEvents 1.0 in binary mode ({@code ce_*} headers,
 * {@code content-type}), idempotent, {@code acks=all}. It is rebuilt after a failure so a broker
 * outage never leaves it wedged.
 */
@ApplicationScoped
public class CloudEventProducer {

    private final String bootstrapServers;
    private final String clientId;
    private final Duration blockFor;
    private KafkaProducer<String, CloudEvent> producer;

    public CloudEventProducer(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                              @ConfigProperty(name = "quarkus.application.name", defaultValue = "tollgate") String service,
                              @ConfigProperty(name = "tollgate.kafka.send-timeout", defaultValue = "5s") Duration blockFor) {
        this.bootstrapServers = bootstrapServers;
        this.clientId = service + "-producer";
        this.blockFor = blockFor;
    }

    public synchronized Future<RecordMetadata> send(String topic, String key, CloudEvent event) {
        return producer().send(new ProducerRecord<>(topic, key, event));
    }

    public synchronized void flush() {
        if (producer != null) {
            producer.flush();
        }
    }

    /** Drops the current producer after a failed send; the next send builds a fresh one. */
    public synchronized void reset() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    public Duration sendTimeout() {
        return blockFor.plusSeconds(5);
    }

    private KafkaProducer<String, CloudEvent> producer() {
        if (producer == null) {
            Map<String, Object> config = new HashMap<>();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
            config.put(ProducerConfig.LINGER_MS_CONFIG, 2);
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) blockFor.toMillis());
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) blockFor.toMillis());
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) blockFor.toMillis() + 2);
            config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, CloudEventSerializer.class);
            config.put(CloudEventSerializer.ENCODING_CONFIG, Encoding.BINARY);
            producer = new KafkaProducer<>(config);
        }
        return producer;
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
