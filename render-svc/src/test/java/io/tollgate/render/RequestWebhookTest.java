package io.tollgate.render;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.render.JobWebhook;
import io.tollgate.kit.testing.KafkaProbe;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A request's own webhook: render writes job.webhook for the events its filter names; notification-svc delivers them. */
@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
@QuarkusTestResource(RenderProviderSandbox.class)
class RequestWebhookTest {

    private static List<JsonNode> webhooks(KafkaProbe probe, String id, String lastEvent) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : probe.collect(r -> id.equals(r.key()) && JobWebhook.TYPE.equals(KafkaProbe.header(r, "ce_type")),
                Duration.ofSeconds(30), Duration.ofSeconds(2))) {
            EventSchemas.assertValid(JobWebhook.TYPE, r.value());
            out.add(QueueTest.JSON.readTree(r.value()));
        }
        assertFalse(out.isEmpty(), "no webhook for " + id);
        assertEquals(lastEvent, out.getLast().path("event").asText(), out.toString());
        return out;
    }

    @Test
    void a_running_request_sends_start_throttled_logs_its_output_and_completed_to_its_own_url() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "render.events")) {
            String slow = QueueTest.SLOW.substring(0, QueueTest.SLOW.length() - 1)
                    + ", \"webhook_url\": \"https://hooks.example.com/render?ref=1\","
                    + " \"webhook_events_filter\": [\"start\", \"logs\", \"output\", \"completed\"]}";
            String id = QueueTest.submit(caller, QueueTest.MODEL, slow, null).then().statusCode(202).extract().path("request_id");
            QueueTest.awaitStatus(caller, QueueTest.MODEL, id, "COMPLETED");
            List<JsonNode> sent = webhooks(probe, id, "completed");
            List<String> events = sent.stream().map(w -> w.path("event").asText()).toList();
            assertEquals("start", events.getFirst(), events.toString());
            assertEquals(List.of("output", "completed"), events.subList(events.size() - 2, events.size()), events.toString());
            List<JsonNode> logs = sent.stream().filter(w -> w.path("event").asText().equals("logs")).toList();
            assertFalse(logs.isEmpty(), "a job of many steps reports its progress: " + events);
            for (int i = 1; i < logs.size(); i++) {
                Instant before = Instant.parse(logs.get(i - 1).path("occurred_at").asText());
                Instant after = Instant.parse(logs.get(i).path("occurred_at").asText());
                assertFalse(Duration.between(before, after).toMillis() < 500, "logs are sent at most once per 500 ms: " + before + ", " + after);
            }
            assertEquals("IN_PROGRESS", logs.getLast().path("data").path("status").asText());
            assertTrue(logs.getLast().path("data").path("progress").path("step").asInt() > 0, logs.getLast().toString());
            for (JsonNode w : sent) {
                assertEquals("https://hooks.example.com/render?ref=1", w.path("webhook_url").asText());
                assertEquals(caller.id().toString(), w.path("user_id").asText());
                assertEquals(id, w.path("data").path("request_id").asText());
            }
            JsonNode completed = sent.getLast().path("data");
            assertEquals("COMPLETED", completed.path("status").asText());
            assertEquals(2, completed.path("output").path("images").size(), completed.toString());
            assertTrue(completed.path("output").path("images").get(0).path("url").asText().contains("signature="));
            assertTrue(completed.path("cost_minor").asLong() > 0, completed.toString());
        }
    }

    @Test
    void by_default_only_completed_is_sent_and_a_cancelled_request_sends_it_too() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "render.events")) {
            String hooked = "{\"prompt\": \"hooked\", \"width\": 64, \"height\": 64, \"webhook_url\": \"https://hooks.example.com/a\"}";
            String id = QueueTest.submit(caller, QueueTest.MODEL, hooked, null).then().statusCode(202).extract().path("request_id");
            QueueTest.awaitStatus(caller, QueueTest.MODEL, id, "COMPLETED");
            List<JsonNode> sent = webhooks(probe, id, "completed");
            assertEquals(1, sent.size(), sent.toString());

            // one job runs per caller in the tests: the second waits in the queue and is cancelled there
            String running = QueueTest.submit(caller, QueueTest.MODEL, QueueTest.SLOW, null).then().statusCode(202).extract().path("request_id");
            QueueTest.awaitStatus(caller, QueueTest.MODEL, running, "IN_PROGRESS");
            String queued = QueueTest.submit(caller, QueueTest.MODEL, "{\"prompt\": \"never\", \"webhook_url\": \"https://hooks.example.com/b\","
                    + " \"webhook_events_filter\": [\"start\", \"completed\"]}", null).then().statusCode(202).extract().path("request_id");
            given().auth().oauth2(caller.token()).put("/v1/queue/" + QueueTest.MODEL + "/requests/" + queued + "/cancel").then()
                    .statusCode(200);
            List<JsonNode> cancelled = webhooks(probe, queued, "completed");
            assertEquals(1, cancelled.size(), "it never started: " + cancelled);
            assertEquals("CANCELLED", cancelled.getFirst().path("data").path("status").asText());
            QueueTest.awaitStatus(caller, QueueTest.MODEL, running, "COMPLETED");
        }
    }

    @Test
    void bad_webhook_settings_are_422_with_the_field_and_queue_nothing() {
        QueueTest.Caller caller = QueueTest.caller();
        String[][] cases = {
                {"\"webhook_url\": \"ftp://hooks.example.com/x\"", "webhook_url"},
                {"\"webhook_url\": \"https://user:pw@hooks.example.com/x\"", "webhook_url"},
                {"\"webhook_url\": \"not a url\"", "webhook_url"},
                {"\"webhook_url\": 42", "webhook_url"},
                {"\"webhook_url\": \"https://hooks.example.com/x\", \"webhook_events_filter\": [\"finished\"]", "webhook_events_filter"},
                {"\"webhook_url\": \"https://hooks.example.com/x\", \"webhook_events_filter\": []", "webhook_events_filter"},
                {"\"webhook_events_filter\": [\"completed\"]", "webhook_events_filter"},
        };
        for (String[] c : cases) {
            QueueTest.submit(caller, QueueTest.MODEL, "{\"prompt\": \"x\", " + c[0] + "}", null).then().statusCode(422)
                    .contentType("application/problem+json").body("errors[0].field", equalTo(c[1]));
        }
        given().auth().oauth2(caller.token()).get("/v1/jobs").then().statusCode(200).body("meta.total", equalTo(0));
    }
}
