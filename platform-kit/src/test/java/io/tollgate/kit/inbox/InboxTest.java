package io.tollgate.kit.inbox;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.kafka.CloudEventSerializer;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.testing.KafkaProbe;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class InboxTest {

    private static final String TOPIC = "kit.inbox-test";

    private final EventConsumers consumers;
    private final Pool pool;

    InboxTest(EventConsumers consumers, Pool pool) {
        this.consumers = consumers;
        this.pool = pool;
    }

    /** Records each applied event in probe_effects, in the consumer's transaction; fails on demand. */
    static class RecordingHandler implements EventHandler {
        final String name = "kit.inbox-test." + UUID.randomUUID();
        final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
        final AtomicInteger attempts = new AtomicInteger();

        @Override
        public String consumer() {
            return name;
        }

        @Override
        public Set<String> topics() {
            return Set.of(TOPIC);
        }

        @Override
        public boolean accepts(String type) {
            return type.startsWith("tollgate.kit.");
        }

        @Override
        public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
            attempts.incrementAndGet();
            return tx.preparedQuery("insert into probe_effects (consumer, event_id) values ($1, $2)")
                    .execute(Tuple.of(name, event.id()))
                    .invoke(() -> {
                        AtomicInteger left = failuresLeft.get(event.id());
                        if (left != null && left.getAndDecrement() > 0) {
                            // Fails after the insert: the whole transaction, inbox record included, must roll back.
                            throw new IllegalStateException("simulated failure");
                        }
                    })
                    .replaceWithVoid();
        }
    }

    @Test
    void a_redelivered_event_is_applied_once() {
        RecordingHandler handler = new RecordingHandler();
        consumers.start(handler);
        try (KafkaProducer<String, CloudEvent> producer = producer()) {
            String id = UUID.randomUUID().toString();
            CloudEvent event = event(id);
            producer.send(new ProducerRecord<>(TOPIC, "agg-1", event));
            producer.send(new ProducerRecord<>(TOPIC, "agg-1", event));
            producer.send(new ProducerRecord<>(TOPIC, "agg-1", event));
            String other = UUID.randomUUID().toString();
            producer.send(new ProducerRecord<>(TOPIC, "agg-2", event(other)));
            producer.flush();

            awaitEffects(handler.name, other, 1);
            awaitAttempts(handler, 2);
            sleep(Duration.ofSeconds(2));
            assertEquals(1, effects(handler.name, id), "three deliveries, one effect");
            assertEquals(1, effects(handler.name, other));
            assertEquals(1L, inboxRows(handler.name, id));
        } finally {
            consumers.stop(handler);
        }
    }

    @Test
    void a_failed_effect_is_retried_and_its_offset_not_committed_until_it_succeeds() {
        RecordingHandler handler = new RecordingHandler();
        String id = UUID.randomUUID().toString();
        handler.failuresLeft.put(id, new AtomicInteger(2));
        consumers.start(handler);
        try (KafkaProducer<String, CloudEvent> producer = producer()) {
            producer.send(new ProducerRecord<>(TOPIC, "agg-retry", event(id)));
            producer.flush();
            awaitEffects(handler.name, id, 1);
            assertTrue(handler.attempts.get() >= 3, "two failures then a success, saw " + handler.attempts.get());
            assertEquals(1, effects(handler.name, id), "the failed attempts left nothing behind");
        } finally {
            consumers.stop(handler);
        }

        // A new consumer instance in the same group starts after the committed offset: nothing is applied again.
        RecordingHandler again = new RecordingHandler() {
            @Override
            public String consumer() {
                return handler.name;
            }
        };
        consumers.start(again);
        try {
            sleep(Duration.ofSeconds(4));
            assertEquals(0, again.attempts.get(), "the committed event is not delivered again");
            assertEquals(1, effects(handler.name, id));
        } finally {
            consumers.stop(again);
        }
    }

    private static CloudEvent event(String id) {
        return CloudEventBuilder.v1().withId(id).withType("tollgate.kit.probe.recorded.v1")
                .withSource(URI.create("urn:tollgate:test")).withTime(OffsetDateTime.now())
                .withDataContentType("application/json")
                .withData("{\"record_id\":\"x\"}".getBytes(StandardCharsets.UTF_8)).build();
    }

    private static KafkaProducer<String, CloudEvent> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaProbe.bootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, CloudEventSerializer.class,
                CloudEventSerializer.ENCODING_CONFIG, Encoding.BINARY));
    }

    private long effects(String consumer, String eventId) {
        return pool.preparedQuery("select count(*) from probe_effects where consumer = $1 and event_id = $2")
                .execute(Tuple.of(consumer, eventId)).await().indefinitely().iterator().next().getLong(0);
    }

    private long inboxRows(String consumer, String eventId) {
        return pool.preparedQuery("select count(*) from inbox where consumer = $1 and event_id = $2")
                .execute(Tuple.of(consumer, eventId)).await().indefinitely().iterator().next().getLong(0);
    }

    private void awaitEffects(String consumer, String eventId, long expected) {
        long end = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        while (System.nanoTime() < end && effects(consumer, eventId) < expected) {
            sleep(Duration.ofMillis(200));
        }
        assertEquals(expected, effects(consumer, eventId));
    }

    private static void awaitAttempts(RecordingHandler handler, int atLeast) {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end && handler.attempts.get() < atLeast) {
            sleep(Duration.ofMillis(100));
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
