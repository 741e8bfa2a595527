package io.tollgate.kit.outbox;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.kit.probe.ProbeRecorded;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.kit.testing.LocalServers;
import io.tollgate.kit.testing.Management;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class OutboxRelayTest {

    private final Pool pool;

    OutboxRelayTest(Pool pool) {
        this.pool = pool;
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
