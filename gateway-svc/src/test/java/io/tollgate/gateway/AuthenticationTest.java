package io.tollgate.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.kit.testing.TestTokens;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a bearer credential can be wrong is a 401 problem, and nothing reaches the upstream. */
@QuarkusTest
@QuarkusTestResource(StandInUpstreams.class)
class AuthenticationTest {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    @Test
    void a_valid_token_is_forwarded_to_the_upstream_as_it_was_sent() {
        String token = Callers.user();
        Response response = given().auth().oauth2(token).get("/v1/billing/balance");
        response.then().statusCode(200);
        assertTrue(echoedHeaders(response).contains("authorization=Bearer " + token));
    }

    @Test
    void no_credential_is_401_with_a_bearer_challenge() {
        given().get("/v1/billing/balance").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("code", equalTo("AUTHENTICATION_REQUIRED"))
                .body("request_id", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void an_expired_token_is_401_token_expired() {
        String expired = TestTokens.user(UUID.randomUUID(), Callers.TENANT).expiresAt(Instant.now().minusSeconds(60)).sign();
        refused(expired, "TOKEN_EXPIRED");
    }

    @Test
    void another_issuer_or_audience_is_401() {
        refused(TestTokens.user(UUID.randomUUID(), Callers.TENANT).issuer("https://evil.example").sign(), "INVALID_TOKEN");
        refused(TestTokens.user(UUID.randomUUID(), Callers.TENANT).audience("someone-else").sign(), "INVALID_TOKEN");
    }

    @Test
    void a_tampered_payload_is_401() {
        String[] parts = Callers.user().split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"customer\"", "\"admin\"");
        refused(parts[0] + "." + B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2], "INVALID_TOKEN");
    }

    @Test
    void alg_none_and_hs256_signed_with_the_public_key_are_401() throws Exception {
        String[] parts = Callers.user().split("\\.");
        String none = B64.encodeToString("{\"alg\":\"none\",\"kid\":\"test-key\"}".getBytes(StandardCharsets.UTF_8));
        refused(none + "." + parts[1] + ".", "INVALID_TOKEN");

        String hs = B64.encodeToString("{\"alg\":\"HS256\",\"kid\":\"test-key\"}".getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(StandInUpstreams.testJwks(), "HmacSHA256"));
        String signature = B64.encodeToString(mac.doFinal((hs + "." + parts[1]).getBytes(StandardCharsets.US_ASCII)));
        refused(hs + "." + parts[1] + "." + signature, "INVALID_TOKEN");
    }

    @Test
    void garbage_basic_auth_and_a_service_token_are_401() {
        refused("not-a-jwt", "INVALID_TOKEN");
        refused("a.b.c", "INVALID_TOKEN");
        given().header("Authorization", "Basic dXNlcjpwYXNz").get("/v1/billing/balance")
                .then().statusCode(401).body("code", equalTo("INVALID_TOKEN"));
        refused(TestTokens.user(UUID.randomUUID(), Callers.TENANT).service().sign(), "INVALID_TOKEN");
        given().header("X-API-Key", "psx_notours").get("/v1/billing/balance")
                .then().statusCode(401).body("code", equalTo("INVALID_API_KEY"));
    }

    @Test
    void an_unknown_key_id_refreshes_the_key_set_once_and_is_then_refused() throws InterruptedException {
        Thread.sleep(5_100); // past the minimum interval between two fetches
        int before = StandInUpstreams.JWKS_FETCHES.get();
        refused(TestTokens.user(UUID.randomUUID(), Callers.TENANT).keyId("rotated-away").sign(), "INVALID_TOKEN");
        assertEquals(before + 1, StandInUpstreams.JWKS_FETCHES.get(), "an unknown kid triggers one fetch");
        refused(TestTokens.user(UUID.randomUUID(), Callers.TENANT).keyId("another-unknown").sign(), "INVALID_TOKEN");
        assertEquals(before + 1, StandInUpstreams.JWKS_FETCHES.get(), "a second unknown kid right after does not");
        given().auth().oauth2(Callers.user()).get("/v1/billing/balance").then().statusCode(200);
    }

    @Test
    void public_routes_need_no_credential() {
        given().contentType("application/json").body("{}").post("/v1/billing/webhooks/stripe").then().statusCode(201);
        given().get("/v1/models").then().statusCode(200);
    }

    private static void refused(String token, String code) {
        given().auth().oauth2(token).get("/v1/billing/balance").then().statusCode(401)
                .contentType("application/problem+json").body("code", equalTo(code))
                .header("WWW-Authenticate", containsString("invalid_token"));
    }

    static String echoedHeaders(Response response) {
        return new String(Base64.getDecoder().decode(response.getHeader("X-Echo-Headers")), StandardCharsets.UTF_8);
    }
}
