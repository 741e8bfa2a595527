package io.tollgate.render;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.kit.testing.TestTokens;
import io.tollgate.sandbox.RenderQueueSandbox;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A provider that signs its completion callbacks (fal's scheme: Ed25519 under its published JWKS):
 * the job's worker waits for the callback instead of polling (in the test profile the fallback
 * poll is a minute, longer than the test waits), and a callback that is forged, altered, stale,
 * unsigned or for a request we never sent is refused with a problem and changes nothing.
 */
@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
@QuarkusTestResource(RenderProviderSandbox.class)
class ProviderCallbackTest {

    private final Pool pool;
    private String provider;
    private String model;

    ProviderCallbackTest(Pool pool) {
        this.pool = pool;
    }

    private static RenderQueueSandbox sandbox() {
        return RenderProviderSandbox.queue();
    }

    private static String admin() {
        return TestTokens.user(UUID.randomUUID(), CatalogTest.TENANT).roles("admin").sign();
    }

    @BeforeEach
    void signedProvider() {
        String admin = admin();
        provider = "signed-" + UUID.randomUUID().toString().substring(0, 8);
        model = provider + "/fast-image";
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\": \"" + provider + "\", \"type\": \"fal\", \"base_url\": \"" + RenderProviderSandbox.running.baseUrl()
                        + "/fal\", \"api_key\": \"" + RenderQueueSandbox.API_KEY + "\", \"callback_jwks_url\": \"" + sandbox().jwksUrl() + "\"}")
                .post("/v1/admin/render/providers").then().statusCode(201).body("callback_jwks_url", equalTo(sandbox().jwksUrl()));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"model_id\": \"" + model + "\", \"provider\": \"" + provider + "\", \"provider_model\": \"" + RenderQueueSandbox.FAST
                        + "\", \"display_name\": \"Signed sandbox\", \"category\": \"text-to-image\", \"tags\": [\"image\"], \"visible\": true,"
                        + " \"pricing_config\": {\"version\": 1, \"currency\": \"USD\", \"pay_as_you_go\": {\"images\": {\"price\": 0.03}}},"
                        + " \"input_schema\": {\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"prompt\"],"
                        + " \"properties\": {\"prompt\": {\"type\": \"string\", \"maxLength\": 500},"
                        + " \"width\": {\"type\": \"integer\", \"minimum\": 64, \"maximum\": 512, \"default\": 64},"
                        + " \"height\": {\"type\": \"integer\", \"minimum\": 64, \"maximum\": 512, \"default\": 64}}}}")
                .post("/v1/admin/render/models").then().statusCode(201);
    }

    private Row job(String id) {
        return pool.preparedQuery("select provider_request_id, provider_callback_at, status from jobs where id = $1")
                .execute(Tuple.of(UUID.fromString(id))).await().indefinitely().iterator().next();
    }

    private static Response post(String provider, String requestId, String userId, String timestamp, String signature, byte[] body) {
        var request = given().contentType("application/json").body(body);
        if (requestId != null) {
            request.header("X-Fal-Webhook-Request-Id", requestId);
        }
        if (userId != null) {
            request.header("X-Fal-Webhook-User-Id", userId);
        }
        if (timestamp != null) {
            request.header("X-Fal-Webhook-Timestamp", timestamp);
        }
        if (signature != null) {
            request.header("X-Fal-Webhook-Signature", signature);
        }
        return request.post("/v1/render/callbacks/" + provider);
    }

    @Test
    void the_signed_callback_wakes_the_worker_and_the_job_completes_without_polling_the_provider() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        String id = QueueTest.submit(caller, model, "{\"prompt\": \"called back\", \"width\": 96, \"height\": 80}", null).then()
                .statusCode(202).extract().path("request_id");
        QueueTest.awaitStatus(caller, model, id, "COMPLETED");
        given().auth().oauth2(caller.token()).get("/v1/queue/" + model + "/requests/" + id).then().statusCode(200)
                .body("cost_minor", equalTo(3)).body("output.images[0].width", equalTo(96));
        Row row = job(id);
        String remote = row.getString("provider_request_id");
        assertNotNull(row.getOffsetDateTime("provider_callback_at"), "the verified callback marked the job");
        List<RenderQueueSandbox.Callback> deliveries = sandbox().callbacks().stream().filter(c -> c.requestId().equals(remote)).toList();
        assertEquals(1, deliveries.size(), deliveries.toString());
        assertEquals(200, deliveries.get(0).status());
        assertTrue(deliveries.get(0).url().endsWith("/v1/render/callbacks/" + provider), deliveries.get(0).url());
        // once right after submit (still queued), once when the callback came: no half-second polling
        assertTrue(sandbox().statusPolls(remote) <= 2, "status polls: " + sandbox().statusPolls(remote));
    }

    @Test
    void forged_altered_stale_unsigned_and_unknown_callbacks_are_refused_and_change_nothing() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        sandbox().timing(java.time.Duration.ofSeconds(3), java.time.Duration.ofMillis(200));
        try {
            String id = QueueTest.submit(caller, model, "{\"prompt\": \"still queued\"}", null).then().statusCode(202).extract()
                    .path("request_id");
            String remote = null;
            for (int i = 0; i < 100 && remote == null; i++) {
                remote = job(id).getString("provider_request_id");
                Thread.sleep(20);
            }
            assertNotNull(remote, "the job reached the provider");
            byte[] body = ("{\"request_id\":\"" + remote + "\",\"status\":\"OK\",\"payload\":{\"images\":[]}}").getBytes(StandardCharsets.UTF_8);
            String now = Long.toString(Instant.now().getEpochSecond());
            String user = RenderQueueSandbox.CALLBACK_USER;

            // signed by someone else: a fresh key of the same kind
            var other = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            var signer = java.security.Signature.getInstance("Ed25519");
            signer.initSign(other.getPrivate());
            signer.update((remote + "\n" + user + "\n" + now + "\n" + java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(body))).getBytes(StandardCharsets.UTF_8));
            post(provider, remote, user, now, java.util.HexFormat.of().formatHex(signer.sign()), body).then().statusCode(401)
                    .contentType("application/problem+json").body("code", equalTo("INVALID_SIGNATURE"));
            // the provider's signature over another body
            String signed = sandbox().sign(remote, user, now, body);
            byte[] altered = new String(body, StandardCharsets.UTF_8).replace("OK", "ERROR").getBytes(StandardCharsets.UTF_8);
            post(provider, remote, user, now, signed, altered).then().statusCode(401).body("code", equalTo("INVALID_SIGNATURE"));
            // replayed from ten minutes ago, properly signed then
            String old = Long.toString(Instant.now().getEpochSecond() - 600);
            post(provider, remote, user, old, sandbox().sign(remote, user, old, body), body).then().statusCode(401)
                    .body("detail", containsString("timestamp"));
            // no signature at all; a signature that is not hex
            post(provider, remote, user, now, null, body).then().statusCode(401).body("code", equalTo("INVALID_SIGNATURE"));
            post(provider, remote, user, now, "not-hex", body).then().statusCode(401).body("code", equalTo("INVALID_SIGNATURE"));
            // another request's id under this signature
            post(provider, UUID.randomUUID().toString(), user, now, signed, body).then().statusCode(401);
            assertNull(job(id).getOffsetDateTime("provider_callback_at"), "no refused callback marked the job");

            // properly signed, but for a request we never sent; and at a provider that does not sign callbacks
            String stranger = UUID.randomUUID().toString();
            post(provider, stranger, user, now, sandbox().sign(stranger, user, now, body), body).then().statusCode(404)
                    .contentType("application/problem+json");
            post("sandbox", remote, user, now, signed, body).then().statusCode(404);
            post("no-such-provider", remote, user, now, signed, body).then().statusCode(404);
            assertNull(job(id).getOffsetDateTime("provider_callback_at"));

            // the provider's own callback, when the request ends, is accepted and the job completes
            QueueTest.awaitStatus(caller, model, id, "COMPLETED");
            assertNotNull(job(id).getOffsetDateTime("provider_callback_at"));
            // a repeated delivery of a genuine callback is acknowledged and changes nothing more
            post(provider, remote, user, now, signed, body).then().statusCode(200).body("ok", equalTo(true))
                    .body("status", equalTo("COMPLETED"));
            assertEquals("COMPLETED", job(id).getString("status"));
        } finally {
            sandbox().timing(java.time.Duration.ofMillis(200), java.time.Duration.ofMillis(400));
        }
    }

    @Test
    void the_callback_keys_address_is_checked_and_can_be_removed() {
        String admin = admin();
        String id = given().auth().oauth2(admin).get("/v1/admin/render/providers?page_size=100")
                .path("data.find { it.name == '" + provider + "' }.id");
        given().auth().oauth2(admin).contentType("application/json").body("{\"callback_jwks_url\": \"ftp://keys.example\"}")
                .patch("/v1/admin/render/providers/" + id).then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("callback_jwks_url"));
        given().auth().oauth2(admin).get("/v1/admin/render/providers/" + id).then().statusCode(200)
                .body("callback_jwks_url", equalTo(sandbox().jwksUrl()));
        given().auth().oauth2(admin).contentType("application/json").body("{\"callback_jwks_url\": \"\"}")
                .patch("/v1/admin/render/providers/" + id).then().statusCode(200).body("callback_jwks_url", equalTo(null));
        String local = given().auth().oauth2(admin).get("/v1/admin/render/providers?page_size=100")
                .path("data.find { it.name == 'local' }.id");
        given().auth().oauth2(admin).contentType("application/json").body("{\"callback_jwks_url\": \"" + sandbox().jwksUrl() + "\"}")
                .patch("/v1/admin/render/providers/" + local).then().statusCode(400).body("errors[0].field", equalTo("callback_jwks_url"));
    }
}
