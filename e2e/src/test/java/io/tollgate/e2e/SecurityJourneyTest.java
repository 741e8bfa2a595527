package io.tollgate.e2e;

import io.restassured.response.Response;
import io.tollgate.kit.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The black-box probe's reproductions against the whole fleet: each worked on the landed code,
 * through the gateway or directly on a service's port, and each is refused now.
 */
@ExtendWith(FleetExtension.class)
class SecurityJourneyTest {

    private static final String LOCAL_GATEWAY_SECRET = "local-development-secret-gateway-svc";

    private static Response eventually(int status, Supplier<Response> call) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Response last = call.get();
        while (last.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(100);
            last = call.get();
        }
        assertEquals(status, last.statusCode(), last.asString());
        return last;
    }

    @Test
    void dot_segments_do_not_carry_a_request_past_the_gateway(Fleet fleet) {
        String body = "{\"client_id\":\"gateway\",\"client_secret\":\"" + LOCAL_GATEWAY_SECRET + "\"}";
        // the right secret does work, at identity itself: the gateway is what must not reach it
        given().baseUri(fleet.url("identity")).contentType("application/json").body(body).post("/internal/tokens")
                .then().statusCode(200);
        for (String target : List.of("/.well-known/../internal/tokens", "/.well-known/%2e%2e/internal/tokens",
                "/v1/unsubscribe/../../internal/tokens")) {
            RawHttp.Answer answer = RawHttp.send(fleet.gatewayUrl(), "POST", target, List.of("Content-Type: application/json"), body);
            assertEquals(404, answer.status(), target + ": " + answer.body());
            assertTrue(!answer.body().contains("access_token"), answer.body());
        }
        for (String target : List.of("/.well-known/../q/openapi", "/q/metrics", "/q/health", "/.well-known/../q/metrics")) {
            assertEquals(404, RawHttp.get(fleet.gatewayUrl(), target).status(), target);
        }
    }

    @Test
    void a_revoked_session_is_refused_through_the_gateway_in_any_spelling_and_by_every_service_directly(Fleet fleet)
            throws Exception {
        var account = Journeys.newUser(fleet);
        String token = account.accessToken();
        Journeys.at(fleet.gatewayUrl(), account.ip()).auth().oauth2(token).post("/v1/auth/logout").then().statusCode(204);
        RawHttp.Answer viaDots;
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        do {
            viaDots = RawHttp.get(fleet.gatewayUrl(), "/.well-known/../v1/me", "Authorization: Bearer " + token,
                    "X-Forwarded-For: " + account.ip());
        } while (viaDots.status() != 401 && System.nanoTime() < deadline);
        assertEquals(401, viaDots.status(), viaDots.body());
        assertTrue(viaDots.body().contains("SESSION_REVOKED"), viaDots.body());
        RawHttp.Answer keyViaDots = RawHttp.send(fleet.gatewayUrl(), "POST", "/.well-known/../v1/api-keys",
                List.of("Authorization: Bearer " + token, "Content-Type: application/json"),
                "{\"name\": \"sneaky\", \"scopes\": [\"billing:write\"]}");
        assertEquals(401, keyViaDots.status(), keyViaDots.body());

        eventually(401, () -> given().baseUri(fleet.url("identity")).auth().oauth2(token).get("/v1/me"))
                .then().body("code", equalTo("SESSION_REVOKED"));
        given().baseUri(fleet.url("identity")).auth().oauth2(token).contentType("application/json")
                .body("{\"name\": \"direct\", \"scopes\": [\"billing:write\"]}").post("/v1/api-keys")
                .then().statusCode(401).body("code", equalTo("SESSION_REVOKED"));
        eventually(401, () -> given().baseUri(fleet.url("billing")).auth().oauth2(token).get("/v1/billing/balance"))
                .then().body("code", equalTo("SESSION_REVOKED"));
        eventually(401, () -> given().baseUri(fleet.url("notification")).auth().oauth2(token).get("/v1/notifications"))
                .then().body("code", equalTo("SESSION_REVOKED"));
    }

    @Test
    void a_second_forwarded_for_line_cannot_pick_a_keys_allowed_address(Fleet fleet) {
        var account = Journeys.newUser(fleet);
        String secret = Journeys.at(fleet.gatewayUrl(), account.ip()).auth().oauth2(account.accessToken())
                .contentType("application/json")
                .body("{\"name\": \"office\", \"scopes\": [\"account:read\"], \"allowed_ips\": [\"203.0.113.7\"]}")
                .post("/v1/api-keys").then().statusCode(201).extract().path("secret_key");
        RawHttp.Answer answer = RawHttp.get(fleet.gatewayUrl(), "/v1/me", "X-API-Key: " + secret,
                "X-Forwarded-For: 203.0.113.7", "X-Forwarded-For: 9.9.9.9");
        assertEquals(403, answer.status(), answer.body());
        assertTrue(answer.body().contains("IP_NOT_ALLOWED"), answer.body());
        RawHttp.Answer allowed = RawHttp.get(fleet.gatewayUrl(), "/v1/me", "X-API-Key: " + secret,
                "X-Forwarded-For: 9.9.9.9", "X-Forwarded-For: 203.0.113.7");
        assertEquals(200, allowed.status(), allowed.body());
    }

    @Test
    void sign_in_failures_with_a_changing_first_forwarded_line_still_reach_the_limit(Fleet fleet) {
        String ip = Journeys.randomIp();
        int limited = 0;
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            RawHttp.Answer answer = RawHttp.send(fleet.gatewayUrl(), "POST", "/v1/auth/login",
                    List.of("Content-Type: application/json", "X-Forwarded-For: 203.0.113." + (i + 1), "X-Forwarded-For: " + ip),
                    "{\"email\": \"nobody-" + i + "@example.com\", \"password\": \"Wrong-Pass-1\"}");
            seen.append(answer.status()).append(' ').append(answer.header("ratelimit")).append(' ')
                    .append(answer.body().length() > 200 ? answer.body().substring(0, 200) : answer.body()).append('\n');
            if (answer.status() == 429 && answer.body().contains("RATE_LIMITED") && answer.header("ratelimit-policy") != null
                    && answer.header("ratelimit-policy").contains("\"auth\"")) {
                limited++;
            }
        }
        assertEquals(2, limited, "five sign-ins a minute per address:\n" + seen);
    }

    @Test
    void no_service_serves_its_operations_endpoints_on_its_public_port(Fleet fleet) {
        for (String service : Fleet.SERVICES) {
            for (String path : List.of("/q/metrics", "/q/openapi", "/q/health/ready")) {
                assertEquals(404, given().baseUri(fleet.url(service)).get(path).statusCode(), service + path);
            }
            given().baseUri(fleet.managementUrl(service)).get("/q/metrics").then().statusCode(200);
        }
    }
}
