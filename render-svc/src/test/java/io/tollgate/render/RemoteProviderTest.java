package io.tollgate.render;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.render.JobFailed;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.kit.testing.TestTokens;
import io.tollgate.sandbox.RenderQueueSandbox;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model served by a remote fal-style queue (the provider sandbox, a real HTTP server): submitted
 * once, polled, its outputs re-hosted as our assets and charged for what came back; a provider
 * failure fails the job at once; an overloaded provider is retried; a retried attempt resumes the
 * provider's request. And the providers' administration.
 */
@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
@QuarkusTestResource(RenderProviderSandbox.class)
class RemoteProviderTest {

    static final String FAST = "sandbox/fast-image";
    static final String FAILING = "sandbox/failing-image";

    private final Pool pool;

    RemoteProviderTest(Pool pool) {
        this.pool = pool;
    }

    private static RenderQueueSandbox provider() {
        return RenderProviderSandbox.queue();
    }

    private Row job(String id) {
        return pool.preparedQuery("select attempts, provider_request_id, error_code, status from jobs where id = $1")
                .execute(Tuple.of(UUID.fromString(id))).await().indefinitely().iterator().next();
    }

    @Test
    void a_remote_model_is_submitted_once_and_its_outputs_rehosted_as_our_assets() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        int before = provider().submits();
        Response submitted = QueueTest.submit(caller, FAST, "{\"prompt\": \"a remote fox\", \"seed\": 3, \"width\": 320, \"height\": 200,"
                + " \"num_images\": 2}", null);
        submitted.then().statusCode(202).body("status", equalTo("IN_QUEUE")).body("estimated_cost_minor", equalTo(6));
        String id = submitted.path("request_id");
        JsonNode done = QueueTest.awaitStatus(caller, FAST, id, "COMPLETED");
        List<String> logs = done.path("logs").findValuesAsText("message");
        assertTrue(logs.stream().anyMatch(m -> m.startsWith("queued at provider sandbox")), logs.toString());
        assertTrue(logs.contains("provider: loading the model"), logs.toString());

        JsonNode result = QueueTest.JSON.readTree(given().auth().oauth2(caller.token()).get("/v1/queue/" + FAST + "/requests/" + id)
                .then().statusCode(200).extract().asString());
        assertEquals(6, result.path("cost_minor").asInt());
        assertEquals(2, result.path("output").path("images").size());
        for (JsonNode image : result.path("output").path("images")) {
            String url = image.path("url").asText();
            assertTrue(url.contains("/v1/assets/"), "re-hosted by us, not the provider's link: " + url);
            byte[] png = given().get(QueueTest.local(url)).then().statusCode(200).contentType("image/png").extract().asByteArray();
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(320, decoded.getWidth());
            assertEquals(200, decoded.getHeight());
        }
        assertEquals(1, provider().submits() - before, "one request at the provider");
        Row row = job(id);
        assertNotNull(provider().request(row.getString("provider_request_id")), "the provider's id is kept on the job");
        assertEquals(1, row.getInteger("attempts"));
    }

    @Test
    void a_request_the_provider_fails_fails_the_job_at_once_with_its_error_type_and_voids_the_hold() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "render.events")) {
            String id = QueueTest.submit(caller, FAILING, "{\"prompt\": \"doomed\"}", null).then().statusCode(202).extract()
                    .path("request_id");
            JsonNode failed = QueueTest.awaitStatus(caller, FAILING, id, "FAILED");
            assertTrue(failed.path("error").asText().contains("crashed"), failed.toString());
            Row row = job(id);
            assertEquals(1, row.getInteger("attempts"), "the provider already retried its own failure: no second attempt");
            assertEquals("internal_error", row.getString("error_code"));
            List<ConsumerRecord<String, byte[]>> events = probe.collect(r -> id.equals(r.key())
                    && JobFailed.TYPE.equals(KafkaProbe.header(r, "ce_type")), Duration.ofSeconds(15), Duration.ofSeconds(1));
            assertEquals(1, events.size());
            EventSchemas.assertValid(JobFailed.TYPE, events.get(0).value());
            JsonNode event = QueueTest.JSON.readTree(events.get(0).value());
            assertEquals(StandInBilling.HOLDS.get("job:" + id).id().toString(), event.path("hold_id").asText(),
                    "job.failed names the hold, which billing voids");
            assertEquals(FAILING, event.path("model_id").asText());
            given().auth().oauth2(QueueTest.caller().token()).get("/v1/queue/" + FAILING + "/requests/" + id + "/status").then()
                    .statusCode(404);
        }
    }

    @Test
    void an_overloaded_provider_is_retried_with_backoff_and_the_request_submitted_once() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        int before = provider().submits();
        provider().failNext(3);
        String id = QueueTest.submit(caller, FAST, "{\"prompt\": \"busy day\", \"width\": 64, \"height\": 64}", null).then().statusCode(202)
                .extract().path("request_id");
        QueueTest.awaitStatus(caller, FAST, id, "COMPLETED");
        assertEquals(1, provider().submits() - before);
        assertEquals(1, job(id).getInteger("attempts"));
    }

    @Test
    void a_retried_attempt_resumes_the_providers_request_instead_of_submitting_again() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        int before = provider().submits();
        provider().timing(Duration.ofSeconds(4), Duration.ofMillis(400));
        try {
            String id = QueueTest.submit(caller, FAST, "{\"prompt\": \"patience\", \"width\": 64, \"height\": 64}", null).then()
                    .statusCode(202).extract().path("request_id");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (job(id).getString("provider_request_id") == null) {
                assertTrue(System.nanoTime() < deadline, "the provider's id is recorded while the request waits there");
                Thread.sleep(50);
            }
            // the worker loses its lease, as one presumed dead does: the sweeper re-queues the job once the lease lapses
            pool.preparedQuery("update jobs set lease_id = gen_random_uuid() where id = $1").execute(Tuple.of(UUID.fromString(id)))
                    .await().indefinitely();
            JsonNode done = QueueTest.awaitStatus(caller, FAST, id, "COMPLETED");
            assertEquals(2, job(id).getInteger("attempts"));
            assertEquals(1, provider().submits() - before, "the second attempt polled the first one's request");
            assertTrue(done.path("logs").findValuesAsText("message").stream().anyMatch(m -> m.startsWith("resuming request")),
                    done.toString());
        } finally {
            provider().timing(Duration.ofMillis(200), Duration.ofMillis(400));
        }
    }

    @Test
    void administrators_add_test_change_disable_and_delete_providers_whose_keys_never_come_back() {
        String admin = TestTokens.user(UUID.randomUUID(), CatalogTest.TENANT).roles("admin").sign();
        given().auth().oauth2(QueueTest.caller().token()).get("/v1/admin/render/providers").then().statusCode(403)
                .body("code", equalTo("ADMIN_ONLY"));
        given().auth().oauth2(admin).get("/v1/admin/render/providers").then().statusCode(200)
                .body("data.name", hasItem("local")).body("data.name", hasItem("sandbox"))
                .body("data.find { it.name == 'sandbox' }.has_api_key", equalTo(true))
                .body(not(containsString("fal_sandbox_key")));

        String base = RenderProviderSandbox.running.baseUrl() + "/fal";
        String name = "acme-" + UUID.randomUUID().toString().substring(0, 8);
        Response created = given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\": \"" + name + "\", \"type\": \"fal\", \"base_url\": \"" + base + "/\", \"api_key\": \"wrong-key\","
                        + " \"priority\": 5}")
                .post("/v1/admin/render/providers");
        created.then().statusCode(201).body("base_url", equalTo(base)).body("has_api_key", equalTo(true))
                .body("enabled", equalTo(true)).body(not(containsString("wrong-key")));
        String id = created.path("id");
        String sealed = pool.preparedQuery("select api_key_sealed from providers where name = $1").execute(Tuple.of(name))
                .await().indefinitely().iterator().next().getString(0);
        assertFalse(sealed.contains("wrong-key"), "the key is sealed at rest");

        given().auth().oauth2(admin).post("/v1/admin/render/providers/" + id + "/test").then().statusCode(200)
                .body("ok", equalTo(false)).body("error", containsString("refused the key"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"api_key\": \"fal_sandbox_key\"}")
                .patch("/v1/admin/render/providers/" + id).then().statusCode(200).body("priority", equalTo(5));
        given().auth().oauth2(admin).post("/v1/admin/render/providers/" + id + "/test").then().statusCode(200)
                .body("ok", equalTo(true)).body("latency_ms", greaterThanOrEqualTo(0));

        // refused: a taken name, a bad name, a non-http address, a second local provider, a key with spaces
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\": \"" + name + "\", \"type\": \"fal\", \"base_url\": \"" + base + "\", \"api_key\": \"k\"}")
                .post("/v1/admin/render/providers").then().statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("PROVIDER_NAME_TAKEN"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\": \"Acme!\", \"type\": \"fal\", \"base_url\": \"" + base + "\", \"api_key\": \"k\"}")
                .post("/v1/admin/render/providers").then().statusCode(400).body("errors[0].field", equalTo("name"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\": \"ftp-one\", \"type\": \"fal\", \"base_url\": \"ftp://files.example\", \"api_key\": \"k\"}")
                .post("/v1/admin/render/providers").then().statusCode(400).body("errors[0].field", equalTo("base_url"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"name\": \"local-two\", \"type\": \"local\"}")
                .post("/v1/admin/render/providers").then().statusCode(400).body("errors[0].field", equalTo("type"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"api_key\": \"two words\"}")
                .patch("/v1/admin/render/providers/" + id).then().statusCode(400).body("errors[0].field", equalTo("api_key"));

        // a disabled provider's models leave the catalogue; enabled again, they are back
        String sandbox = given().auth().oauth2(admin).get("/v1/admin/render/providers").path("data.find { it.name == 'sandbox' }.id");
        try {
            given().auth().oauth2(admin).contentType("application/json").body("{\"enabled\": false}")
                    .patch("/v1/admin/render/providers/" + sandbox).then().statusCode(200).body("enabled", equalTo(false));
            given().get("/v1/models/" + FAST).then().statusCode(404).body("code", equalTo("UNKNOWN_MODEL"));
            given().get("/v1/models?page_size=100").then().statusCode(200).body("data.model_id", not(hasItem(FAST)));
        } finally {
            given().auth().oauth2(admin).contentType("application/json").body("{\"enabled\": true}")
                    .patch("/v1/admin/render/providers/" + sandbox).then().statusCode(200);
        }
        given().get("/v1/models/" + FAST).then().statusCode(200).body("model_id", equalTo(FAST));

        given().auth().oauth2(admin).delete("/v1/admin/render/providers/" + sandbox).then().statusCode(409)
                .body("code", equalTo("PROVIDER_IN_USE")).body("models", greaterThanOrEqualTo(2));
        given().auth().oauth2(admin).delete("/v1/admin/render/providers/" + id).then().statusCode(204);
        given().auth().oauth2(admin).get("/v1/admin/render/providers/" + id).then().statusCode(404);
    }
}
