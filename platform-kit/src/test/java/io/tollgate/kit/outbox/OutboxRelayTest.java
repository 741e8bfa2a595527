package io.tollgate.kit.outbox;

import io.opentelemetry.api.OpenTelemetry;
import io.tollgate.kit.tracing.EventTracing;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.kit.probe.ProbeRecorded;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.kit.testing.LocalServers;
import io.tollgate.kit.testing.Management;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class OutboxRelayTest {

    private final Pool pool;
    private final Outbox outbox;
    private final OutboxRelay relay;
    private final Vertx vertx;

    OutboxRelayTest(Pool pool, Outbox outbox, OutboxRelay relay, Vertx vertx) {
        this.pool = pool;
        this.outbox = outbox;
        this.relay = relay;
        this.vertx = vertx;
    }

    private UUID append(String aggregate, String name, long amount) {
        return pool.withTransaction(tx -> outbox.append(tx, aggregate, "records/" + aggregate,
                new ProbeRecorded(UUID.randomUUID(), name, amount))).await().atMost(Duration.ofSeconds(10));
    }

    /** Another instance's relay on the same database: its own producer, a small batch so that batches interleave. */
    private OutboxRelay anotherRelay(int batchSize) {
        return new OutboxRelay(pool, new CloudEventProducer(KafkaProbe.bootstrap(), "kit-replica", Duration.ofSeconds(5)),
                new EventTracing(OpenTelemetry.noop()), new SimpleMeterRegistry(), vertx, Duration.ofSeconds(1), false, batchSize, 7, true, 5);
    }

    @Test
    void relays_of_several_replicas_publish_each_aggregates_events_in_their_order() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        int aggregates = 6;
        int perAggregate = 40;
        List<String> keys = IntStream.range(0, aggregates).mapToObj(i -> "order-" + run + "-" + i).toList();
        AtomicBoolean relaying = new AtomicBoolean(true);
        ExecutorService threads = Executors.newFixedThreadPool(aggregates + 3);
        List<Future<?>> relays = new ArrayList<>();
        // this instance's relay runs on its own; three more race it, as replicas would
        for (OutboxRelay other : List.of(anotherRelay(7), anotherRelay(3), relay)) {
            relays.add(threads.submit(() -> {
                while (relaying.get()) {
                    if (other.relayBatch() <= 0) {
                        Thread.sleep(1);
                    }
                }
                return null;
            }));
        }
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), ProbeRecorded.TOPIC)) {
            // one writer per aggregate, as the aggregate's lock makes it: its commits are its order
            List<Future<?>> writers = new ArrayList<>();
            for (String key : keys) {
                writers.add(threads.submit(() -> {
                    for (int n = 0; n < perAggregate; n++) {
                        append(key, key, n);
                    }
                    return null;
                }));
            }
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            Map<String, List<Long>> seen = new HashMap<>();
            Set<String> ids = new HashSet<>();
            Set<String> wanted = Set.copyOf(keys);
            List<ConsumerRecord<String, byte[]>> records = probe.collect(r -> wanted.contains(r.key()), Duration.ofSeconds(90),
                    Duration.ofSeconds(5));
            for (ConsumerRecord<String, byte[]> record : records) {
                if (ids.add(KafkaProbe.header(record, "ce_id"))) {
                    long amount = new com.fasterxml.jackson.databind.ObjectMapper().readTree(record.value()).get("amount_minor").asLong();
                    seen.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(amount);
                }
            }
            List<Long> expected = LongStream.range(0, perAggregate).boxed().toList();
            for (String key : keys) {
                assertEquals(expected, seen.get(key), "the events of " + key + " in the order they were written");
            }
        } finally {
            relaying.set(false);
            for (Future<?> r : relays) {
                r.get(30, TimeUnit.SECONDS);
            }
            threads.shutdown();
        }
    }

    @Test
    void a_poison_row_is_counted_and_parked_while_the_others_flow_and_its_aggregate_follows_once_it_is_parked() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String poisoned = "poisoned-" + run;
        String other = "other-" + run;
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), ProbeRecorded.TOPIC)) {
            // larger than Kafka takes (max.request.size, 1 MiB): refused every time
            UUID poison = append(poisoned, "x".repeat(1_200_000), 1);
            UUID behind = append(poisoned, "behind the poison", 2);
            UUID flowing = append(other, "another aggregate", 3);

            ConsumerRecord<String, byte[]> first = probe.first(r -> other.equals(r.key()), Duration.ofSeconds(20));
            assertEquals(flowing.toString(), KafkaProbe.header(first, "ce_id"), "another aggregate is not held up");
            ConsumerRecord<String, byte[]> later = probe.first(r -> poisoned.equals(r.key()), Duration.ofSeconds(30));
            assertEquals(behind.toString(), KafkaProbe.header(later, "ce_id"), "the poison's aggregate goes on once it is parked");

            var row = pool.preparedQuery("select rejections, attempts, parked_at, sent_at, last_error from outbox where id = $1")
                    .execute(Tuple.of(poison)).await().indefinitely().iterator().next();
            assertEquals(5, row.getInteger("rejections"), "refused the configured number of times");
            assertNotNull(row.getOffsetDateTime("parked_at"));
            assertNull(row.getOffsetDateTime("sent_at"));
            assertTrue(row.getString("last_error").contains("RecordTooLarge"), row.getString("last_error"));
            String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metrics.contains("tollgate_outbox_parked_total"), "parked rows are counted");
            assertTrue(metrics.contains("tollgate_outbox_parked_rows"), "and shown waiting");
        } finally {
            // an operator's fix: the row is given up for good here, so later tests' relays do not meet it
            pool.preparedQuery("update outbox set sent_at = now() where aggregate_id = $1 and sent_at is null")
                    .execute(Tuple.of(poisoned)).await().indefinitely();
        }
    }

    @Test
    void an_event_arrives_on_kafka_as_a_binary_cloudevent_keyed_by_its_aggregate() {
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), ProbeRecorded.TOPIC)) {
            String id = given().contentType("application/json").body("{\"name\": \"outbox-1\", \"amount_minor\": 250}")
                    .post("/probe/records").then().statusCode(201).extract().path("id");

            ConsumerRecord<String, byte[]> record = probe.first(r -> id.equals(r.key()), Duration.ofSeconds(20));
            Map<String, String> headers = KafkaProbe.headers(record);
            assertEquals("1.0", headers.get("ce_specversion"));
            assertEquals(ProbeRecorded.TYPE, headers.get("ce_type"));
            assertEquals("urn:tollgate:kit", headers.get("ce_source"));
            assertEquals("records/" + id, headers.get("ce_subject"));
            assertEquals("application/json", headers.get("content-type"));
            assertNotNull(OffsetDateTime.parse(headers.get("ce_time")));
            String ceId = headers.get("ce_id");
            assertNotNull(ceId);
            EventSchemas.assertValid(ProbeRecorded.TYPE, record.value());

            var row = pool.preparedQuery("select sent_at from outbox where id = $1::uuid").execute(Tuple.of(ceId))
                    .await().indefinitely().iterator().next();
            assertNotNull(row.getOffsetDateTime("sent_at"), "a published row is marked sent");
        }
    }

    @Test
    void events_written_while_kafka_is_down_wait_and_arrive_exactly_once_after_it_returns() {
        LocalServers.stop("kafka");
        String id;
        try {
            // The write does not need Kafka: it commits with its event in the outbox.
            long started = System.nanoTime();
            id = given().contentType("application/json").body("{\"name\": \"outbox-outage\", \"amount_minor\": 7}")
                    .post("/probe/records").then().statusCode(201).extract().path("id");
            assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 5, "the request did not wait for Kafka");

            // Readiness reports the broker gone.
            Management.given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));

            sleep(Duration.ofSeconds(8));
            var row = pool.preparedQuery("select sent_at, attempts from outbox where aggregate_id = $1").execute(Tuple.of(id))
                    .await().indefinitely().iterator().next();
            assertNull(row.getOffsetDateTime("sent_at"), "nothing is marked sent while the broker is down");
            assertTrue(row.getInteger("attempts") >= 1, "the relay kept trying");
        } finally {
            LocalServers.start("kafka");
        }

        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), ProbeRecorded.TOPIC)) {
            List<ConsumerRecord<String, byte[]>> copies = probe.collect(r -> id.equals(r.key()),
                    Duration.ofSeconds(60), Duration.ofSeconds(5));
            assertEquals(1, copies.size(), "the event arrives once, not zero times and not twice");
        }
        awaitReady();
    }

    private static void awaitReady() {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            if (Management.given().get("/q/health/ready").statusCode() == 200) {
                return;
            }
            sleep(Duration.ofMillis(500));
        }
        Management.given().get("/q/health/ready").then().statusCode(200);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
