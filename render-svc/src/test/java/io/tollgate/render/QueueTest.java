package io.tollgate.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.render.JobCancelled;
import io.tollgate.contracts.render.JobCompleted;
import io.tollgate.contracts.render.JobStarted;
import io.tollgate.contracts.render.JobSubmitted;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.kit.testing.TestTokens;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Submit, watch, fetch and cancel through the queue, with the holds at a stand-in of billing's API. */
@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
class QueueTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String MODEL = "local/procedural-image";
    // long enough to be asked about while it runs: 2 images of 2048 x 2048 in 50 passes each
    static final String SLOW = "{\"prompt\": \"slow\", \"width\": 2048, \"height\": 2048, \"num_images\": 2,"
            + " \"num_inference_steps\": 50}";

    record Caller(UUID id, String token) {
    }

    static Caller caller() {
        UUID id = UUID.randomUUID();
        return new Caller(id, TestTokens.user(id, CatalogTest.TENANT).sign());
    }

    static Response submit(Caller caller, String model, String body, String key) {
        var request = given().auth().oauth2(caller.token()).contentType("application/json").body(body);
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return request.post("/v1/queue/" + model);
    }

    static JsonNode awaitStatus(Caller caller, String model, String id, String status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = JSON.readTree(given().auth().oauth2(caller.token()).get("/v1/queue/" + model + "/requests/" + id + "/status?logs=1")
                    .then().statusCode(200).extract().asString());
            if (status.equals(last.path("status").asText())) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("request " + id + " did not reach " + status + ": " + last);
    }

    static JsonNode awaitProgress(Caller caller, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = JSON.readTree(given().auth().oauth2(caller.token()).get("/v1/queue/" + MODEL + "/requests/" + id + "/status")
                    .then().statusCode(200).extract().asString());
            if (status.path("progress").isObject()) {
                return status.path("progress");
            }
            Thread.sleep(100);
        }
        throw new AssertionError("request " + id + " reported no progress");
    }

    /** The path and query of a signed link, to call it on this test's own port. */
    static String local(String url) {
        URI uri = URI.create(url);
        return uri.getRawPath() + "?" + uri.getRawQuery();
    }

    @Test
    void a_job_is_held_rendered_and_its_files_served_behind_signed_links() throws Exception {
        Caller caller = caller();
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "render.events")) {
            Response submitted = submit(caller, MODEL, "{\"prompt\": \"a red fox\", \"seed\": 7, \"width\": 320, \"height\": 200,"
                    + " \"num_images\": 2}", null);
            submitted.then().statusCode(202).body("status", equalTo("IN_QUEUE")).body("estimated_cost_minor", equalTo(4))
                    .body("status_url", startsWith("http://")).body("cancel_url", notNullValue());
            String id = submitted.path("request_id");
            StandInBilling.Hold hold = StandInBilling.HOLDS.get("job:" + id);
            assertNotNull(hold, "the hold is placed before the job is queued");
            assertEquals(4, hold.amountMinor());

            JsonNode done = awaitStatus(caller, MODEL, id, "COMPLETED");
            assertEquals(100, done.path("progress").path("percent").asInt());
            assertTrue(done.path("logs").size() >= 1, done.toString());
            JsonNode result = JSON.readTree(given().auth().oauth2(caller.token()).get("/v1/queue/" + MODEL + "/requests/" + id)
                    .then().statusCode(200).extract().asString());
            assertEquals(4, result.path("cost_minor").asInt());
            assertEquals(2, result.path("output").path("images").size());
            JsonNode first = result.path("output").path("images").get(0);
            assertEquals("image/png", first.path("content_type").asText());

            byte[] png = given().get(local(first.path("url").asText())).then().statusCode(200).contentType("image/png")
                    .header("ETag", notNullValue()).extract().asByteArray();
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(320, image.getWidth());
            assertEquals(200, image.getHeight());
            // ranges, and a link whose signature or expiry was changed is refused
            byte[] head = given().header("Range", "bytes=0-7").get(local(first.path("url").asText())).then().statusCode(206)
                    .header("Content-Range", "bytes 0-7/" + png.length).extract().asByteArray();
            assertArrayEquals(java.util.Arrays.copyOf(png, 8), head);
            String url = local(first.path("url").asText());
            // the signature's first character changed to another one (replacing it by a fixed letter left it
            // as it was whenever the signature began with that letter)
            java.util.regex.Matcher signature = java.util.regex.Pattern.compile("signature=(.)").matcher(url);
            assertTrue(signature.find(), url);
            String other = signature.group(1).equals("A") ? "B" : "A";
            given().get(url.substring(0, signature.start(1)) + other + url.substring(signature.end(1))).then().statusCode(403)
                    .body("code", equalTo("INVALID_ASSET_LINK"));
            given().get(url.replaceFirst("expires=\\d+", "expires=99999999999")).then().statusCode(403);

            List<ConsumerRecord<String, byte[]>> events = probe.collect(r -> id.equals(r.key()), Duration.ofSeconds(15),
                    Duration.ofSeconds(2));
            List<String> types = events.stream().map(r -> KafkaProbe.header(r, "ce_type")).toList();
            assertEquals(List.of(JobSubmitted.TYPE, JobStarted.TYPE, JobCompleted.TYPE), types);
            for (ConsumerRecord<String, byte[]> event : events) {
                EventSchemas.assertValid(KafkaProbe.header(event, "ce_type"), event.value());
            }
            JsonNode completed = JSON.readTree(events.get(2).value());
            assertEquals(4, completed.path("cost_minor").asInt());
            assertEquals(hold.id().toString(), completed.path("hold_id").asText());
        }
    }

    @Test
    void the_same_prompt_and_seed_render_the_same_bytes() throws Exception {
        Caller caller = caller();
        String body = "{\"prompt\": \"determinism\", \"seed\": 42, \"width\": 96, \"height\": 64}";
        byte[] a = fetchOnly(caller, submit(caller, MODEL, body, null).path("request_id"));
        byte[] b = fetchOnly(caller, submit(caller, MODEL, body, null).path("request_id"));
        assertArrayEquals(a, b);
    }

    private static byte[] fetchOnly(Caller caller, String id) throws Exception {
        awaitStatus(caller, MODEL, id, "COMPLETED");
        String url = given().auth().oauth2(caller.token()).get("/v1/queue/" + MODEL + "/requests/" + id).path("output.images[0].url");
        return given().get(local(url)).then().statusCode(200).extract().asByteArray();
    }

    @Test
    void an_idempotency_key_gives_back_the_same_request_and_another_body_under_it_is_422() {
        Caller caller = caller();
        String key = "render-" + UUID.randomUUID();
        String body = "{\"prompt\": \"once\", \"width\": 64, \"height\": 64}";
        String first = submit(caller, MODEL, body, key).then().statusCode(202).extract().path("request_id");
        submit(caller, MODEL, body, key).then().statusCode(202).header("Idempotent-Replayed", "true")
                .body("request_id", equalTo(first));
        submit(caller, MODEL, "{\"prompt\": \"twice\", \"width\": 64, \"height\": 64}", key).then().statusCode(422)
                .body("code", equalTo("IDEMPOTENCY_KEY_REUSED"));
        assertEquals(1, StandInBilling.HOLDS.values().stream().filter(h -> h.key().equals("job:" + first)).count());
    }

    @Test
    void a_short_balance_is_402_at_submit_with_required_and_available_and_queues_nothing() {
        Caller caller = caller();
        StandInBilling.BALANCES.put(caller.id(), 3L);
        submit(caller, MODEL, "{\"prompt\": \"too dear\", \"num_images\": 2}", null).then().statusCode(402)
                .contentType("application/problem+json").body("code", equalTo("INSUFFICIENT_BALANCE"))
                .body("required", equalTo(4)).body("available", equalTo(3));
        given().auth().oauth2(caller.token()).get("/v1/jobs").then().statusCode(200).body("meta.total", equalTo(0));
    }

    @Test
    void a_running_render_reports_its_renderers_progress() throws Exception {
        Caller caller = caller();
        String id = submit(caller, MODEL, SLOW, null).path("request_id");
        // the heartbeat carries the renderer's progress: 2 images x 50 passes (the last one once it is done)
        JsonNode progress = awaitProgress(caller, id);
        assertEquals(100, progress.path("total").asInt());
        assertTrue(progress.path("step").asInt() >= 0 && progress.path("step").asInt() <= 100, progress.toString());
        JsonNode done = awaitStatus(caller, MODEL, id, "COMPLETED");
        assertEquals(100, done.path("progress").path("step").asInt(), done.toString());
        assertEquals(100, done.path("progress").path("percent").asInt(), done.toString());
    }

    @Test
    void a_queued_job_is_cancelled_at_once_and_a_running_one_runs_to_its_end_and_is_charged_once() throws Exception {
        Caller caller = caller();
        // a running job that runs for as long as the test needs: the provider sandbox's request runs for 8 s
        String remote = RemoteProviderTest.FAST;
        RenderProviderSandbox.queue().timing(Duration.ofMillis(100), Duration.ofSeconds(8));
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "render.events")) {
            String running = submit(caller, remote, "{\"prompt\": \"runs\", \"width\": 64, \"height\": 64}", null).path("request_id");
            awaitStatus(caller, remote, running, "IN_PROGRESS");
            // one running job per user here: the second waits behind the first
            String queued = submit(caller, MODEL, "{\"prompt\": \"waits\", \"width\": 64, \"height\": 64}", null).then()
                    .statusCode(202).body("status", equalTo("IN_QUEUE")).extract().path("request_id");
            given().auth().oauth2(caller.token()).put("/v1/queue/" + MODEL + "/requests/" + queued + "/cancel").then()
                    .statusCode(200).body("ok", equalTo(true)).body("status", equalTo("CANCELLED"));
            given().auth().oauth2(caller.token()).put("/v1/queue/" + remote + "/requests/" + running + "/cancel").then()
                    .statusCode(200).body("ok", equalTo(false)).body("status", equalTo("IN_PROGRESS"));
            awaitStatus(caller, remote, running, "COMPLETED");
            given().auth().oauth2(caller.token()).put("/v1/queue/" + remote + "/requests/" + running + "/cancel").then()
                    .statusCode(200).body("ok", equalTo(false)).body("status", equalTo("COMPLETED"));
            given().auth().oauth2(caller.token()).get("/v1/queue/" + MODEL + "/requests/" + queued).then().statusCode(409)
                    .contentType("application/problem+json").body("code", equalTo("REQUEST_NOT_COMPLETED"));
            given().auth().oauth2(caller.token()).get("/v1/queue/" + MODEL + "/requests/" + queued + "/status").then().statusCode(200)
                    .body("status", equalTo("CANCELLED")).body("started_at", org.hamcrest.Matchers.nullValue());

            List<ConsumerRecord<String, byte[]>> events = probe.collect(r -> queued.equals(r.key()) || running.equals(r.key()),
                    Duration.ofSeconds(15), Duration.ofSeconds(2));
            for (ConsumerRecord<String, byte[]> event : events) {
                EventSchemas.assertValid(KafkaProbe.header(event, "ce_type"), event.value());
            }
            assertEquals(List.of(JobSubmitted.TYPE, JobCancelled.TYPE), types(events, queued));
            assertEquals(List.of(JobSubmitted.TYPE, JobStarted.TYPE, JobCompleted.TYPE), types(events, running));
        } finally {
            RenderProviderSandbox.queue().timing(Duration.ofMillis(200), Duration.ofMillis(400));
        }
    }

    private static List<String> types(List<ConsumerRecord<String, byte[]>> events, String id) {
        return events.stream().filter(r -> id.equals(r.key())).map(r -> KafkaProbe.header(r, "ce_type")).toList();
    }

    @Test
    void another_users_request_and_another_models_path_are_not_found() {
        Caller owner = caller();
        Caller other = caller();
        String id = submit(owner, MODEL, "{\"prompt\": \"mine\", \"width\": 64, \"height\": 64}", null).path("request_id");
        given().auth().oauth2(other.token()).get("/v1/queue/" + MODEL + "/requests/" + id + "/status").then().statusCode(404);
        given().auth().oauth2(other.token()).put("/v1/queue/" + MODEL + "/requests/" + id + "/cancel").then().statusCode(404);
        given().auth().oauth2(owner.token()).get("/v1/queue/local/text-cover/requests/" + id + "/status").then().statusCode(404);
        given().auth().oauth2(owner.token()).get("/v1/queue/" + MODEL + "/requests/not-a-uuid/status").then().statusCode(404);
        given().auth().oauth2(other.token()).get("/v1/jobs").then().statusCode(200).body("meta.total", equalTo(0));
        given().auth().oauth2(owner.token()).get("/v1/jobs?model_id=" + MODEL).then().statusCode(200).body("meta.total", equalTo(1));
    }

    @Test
    void keys_need_their_render_scopes() {
        UUID id = UUID.randomUUID();
        String readOnly = TestTokens.user(id, CatalogTest.TENANT).apiKey(UUID.randomUUID(), "render:read").sign();
        given().auth().oauth2(readOnly).contentType("application/json").body("{\"prompt\": \"x\"}").post("/v1/queue/" + MODEL)
                .then().statusCode(403).body("code", equalTo("INSUFFICIENT_SCOPE"));
        given().contentType("application/json").body("{\"prompt\": \"x\"}").post("/v1/queue/" + MODEL).then().statusCode(401);
    }
}
