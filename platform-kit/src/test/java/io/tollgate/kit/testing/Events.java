package io.tollgate.kit.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.kafka.CloudEventSerializer;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.EventType;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * Publishes an event the way another service's outbox relay does: checked against its schema,
 * as a binary-mode CloudEvent on its topic. Tests use it to play the producing service.
 */
public final class Events {

    public static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private Events() {
    }

    /**
     * @param id     the event id, or null for a new one (pass an earlier id to deliver it again)
     * @param key    the record key (the partition), e.g. the aggregate id
     * @param source the producing service, e.g. {@code render-svc}
     * @return the event id
     */
    public static String publish(Object payload, String id, String key, String source) throws Exception {
        EventType type = EventSchemas.typeOf(payload.getClass());
        byte[] data = JSON.writeValueAsBytes(payload);
        EventSchemas.assertValid(type.value(), data);
        String eventId = id == null ? UUID.randomUUID().toString() : id;
        CloudEvent event = CloudEventBuilder.v1().withId(eventId).withType(type.value())
                .withSource(URI.create("urn:tollgate:" + source)).withTime(OffsetDateTime.now())
                .withDataContentType("application/json").withData(data).build();
        try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaProbe.bootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, CloudEventSerializer.class,
                CloudEventSerializer.ENCODING_CONFIG, Encoding.BINARY))) {
            producer.send(new ProducerRecord<>(type.topic(), key, event)).get();
        }
        return eventId;
    }
}
