package io.tollgate.render;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The status as Server-Sent Events, read by a plain HTTP client line by line until the server ends the stream. */
@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
@QuarkusTestResource(RenderProviderSandbox.class)
class StreamTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<Stream<String>> open(QueueTest.Caller caller, String id) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/v1/queue/requests/" + id
                        + "/status/stream?logs=1")).header("Authorization", "Bearer " + caller.token()).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofLines());
    }

    private static List<JsonNode> events(HttpResponse<Stream<String>> response) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (String line : (Iterable<String>) response.body()::iterator) {
            if (line.startsWith("data:")) {
                events.add(QueueTest.JSON.readTree(line.substring(5).trim()));
            }
        }
        return events;
    }

    @Test
    void a_running_request_streams_its_progress_and_the_stream_ends_with_its_end() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        String id = QueueTest.submit(caller, QueueTest.MODEL, "{\"prompt\": \"streamed\", \"width\": 1024, \"height\": 1024,"
                + " \"num_inference_steps\": 12}", null).then().statusCode(202).extract().path("request_id");
        HttpResponse<Stream<String>> response = open(caller, id);
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<JsonNode> events = events(response);
        assertTrue(events.size() >= 2, "a change is an event: " + events);
        JsonNode last = events.get(events.size() - 1);
        assertEquals("COMPLETED", last.path("status").asText(), last.toString());
        assertEquals(100, last.path("progress").path("percent").asInt());
        assertTrue(last.path("logs").size() >= 1, last.toString());
        assertTrue(events.stream().noneMatch(e -> e != last && e.path("status").asText().equals("COMPLETED")),
                "the end is sent once, last: " + events);
        int previous = -1;
        for (JsonNode event : events) {
            int percent = event.path("progress").path("percent").asInt(0);
            assertTrue(percent >= previous, "progress never goes back: " + events);
            previous = percent;
        }
    }

    @Test
    void an_ended_request_streams_its_end_at_once_and_someone_elses_is_404() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        String id = QueueTest.submit(caller, QueueTest.MODEL, "{\"prompt\": \"done\", \"width\": 64, \"height\": 64}", null).then()
                .statusCode(202).extract().path("request_id");
        QueueTest.awaitStatus(caller, QueueTest.MODEL, id, "COMPLETED");
        List<JsonNode> events = events(open(caller, id));
        assertEquals(1, events.size(), events.toString());
        assertEquals("COMPLETED", events.get(0).path("status").asText());

        HttpResponse<Stream<String>> other = open(QueueTest.caller(), id);
        assertEquals(404, other.statusCode());
        assertTrue(other.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        HttpResponse<Stream<String>> bad = open(caller, "not-a-request");
        assertEquals(404, bad.statusCode());
    }
}
