package io.tollgate.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.tollgate.kit.testing.Management;
import io.tollgate.kit.testing.RawHttp;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The black-box probe's path findings, sent byte for byte as {@code curl --path-as-is} sends them:
 * one reading of a path is matched, limited and forwarded, and our services' own {@code /internal}
 * and {@code /q} paths are never reachable from the public door.
 */
@QuarkusTest
@QuarkusTestResource(StandInUpstreams.class)
class PathSecurityTest {

    private static String gateway() {
        return "http://127.0.0.1:" + RestAssured.port;
    }

    private static RawHttp.Answer get(String target, String... headers) {
        return RawHttp.get(gateway(), target, headers);
    }

    private static RawHttp.Answer post(String target, String body, String... headers) {
        List<String> lines = new java.util.ArrayList<>(List.of(headers));
        lines.add("Content-Type: application/json");
        return RawHttp.send(gateway(), "POST", target, lines, body);
    }

    private static void problem(RawHttp.Answer answer, int status, String code) {
        assertEquals(status, answer.status(), answer.body());
        assertTrue(String.valueOf(answer.header("content-type")).startsWith("application/problem+json"),
                answer.status() + " " + answer.headers() + " " + answer.body());
        assertTrue(answer.body().contains("\"code\":\"" + code + "\""), answer.body());
        assertNull(answer.header("x-echo-uri"), "reached the upstream");
    }

    @Test
    void a_public_prefix_does_not_carry_a_request_to_internal_routes() {
        String body = "{\"client_id\":\"gateway\",\"client_secret\":\"x\"}";
        for (String target : List.of("/.well-known/../internal/tokens", "/.well-known/%2e%2e/internal/tokens",
                "/.well-known/%2E%2E/internal/tokens", "/v1/unsubscribe/../../internal/tokens", "/internal/tokens",
                "/v1/billing/webhooks/stripe/../../../../internal/holds")) {
            problem(post(target, body), 404, "NOT_FOUND");
        }
    }

    @Test
    void operations_endpoints_are_not_on_the_public_port() {
        for (String target : List.of("/q/metrics", "/q/health", "/q/health/ready", "/q/openapi", "/.well-known/../q/openapi",
                "/v1/../q/metrics", "/.well-known/%2e%2e/q/health")) {
            problem(get(target), 404, "NOT_FOUND");
        }
        Management.given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void a_dot_segment_path_gets_the_policy_of_the_path_it_resolves_to() {
        // /v1/me needs a caller: not the public rule of /.well-known
        problem(get("/.well-known/../v1/me"), 401, "AUTHENTICATION_REQUIRED");
        // creating a webhook endpoint needs a caller: not the public rule of /v1/unsubscribe
        problem(post("/v1/unsubscribe/../webhooks", "{\"url\":\"https://example.com\"}"), 401, "AUTHENTICATION_REQUIRED");
        // top-ups are JWT-only: an API key with billing:write cannot reach them through alerts
        problem(post("/v1/billing/alerts/../top-ups", "{}", "Authorization: Bearer " + Callers.apiKey("billing:write")),
                403, "JWT_ONLY");
        // and what is forwarded is the resolved path, never the spelling the caller chose
        RawHttp.Answer forwarded = get("/v1/billing/alerts/../%62alance?x=1", "Authorization: Bearer " + Callers.user());
        assertEquals(200, forwarded.status(), forwarded.body());
        assertEquals("/v1/billing/balance?x=1", forwarded.header("x-echo-uri"));
    }

    @Test
    void a_dot_segment_sign_in_is_charged_to_the_sign_in_limit() {
        String ip = "198.18." + (int) (Math.random() * 250) + "." + (1 + (int) (Math.random() * 250));
        int limited = 0;
        for (int i = 0; i < 7; i++) {
            RawHttp.Answer answer = post("/.well-known/../v1/auth/login", "{\"email\":\"a@b.c\",\"password\":\"x\"}",
                    "X-Forwarded-For: " + ip);
            if (answer.status() == 429) {
                limited++;
                assertTrue(answer.header("ratelimit-policy").contains("\"auth\";q=5"), answer.header("ratelimit-policy"));
            }
        }
        assertEquals(2, limited, "5 sign-ins a minute per address, whatever the spelling of the path");
    }

    @Test
    void paths_that_could_be_read_two_ways_are_refused() {
        String token = "Authorization: Bearer " + Callers.user();
        for (String target : List.of("/v1/billing/a%2Fb", "/v1/billing/a%2fb", "/v1/billing/a%5Cb", "/v1/billing/a%00b",
                "/v1/billing/x;/../balance", "/v1/billing//balance", "/../v1/me", "/v1/../../v1/me",
                "/v1/billing/balance?name=a%00b")) {
            RawHttp.Answer answer = get(target, token);
            assertEquals(400, answer.status(), target);
            assertTrue(answer.body().contains("\"INVALID_PATH\""), target + ": " + answer.status() + " " + answer.headers());
        }
        // A request line that is not a URI at all is refused by the HTTP server before any handler runs.
        for (String target : List.of("/v1/billing/%zz", "/v1/billing/a\\b")) {
            RawHttp.Answer answer = get(target, token);
            assertEquals(400, answer.status(), target);
            assertNull(answer.header("x-echo-uri"), "reached the upstream");
        }
    }

    @Test
    void every_forwarded_for_line_counts_so_a_client_cannot_choose_its_address() {
        RawHttp.Answer answer = get("/v1/billing/balance", "Authorization: Bearer " + Callers.user(),
                "X-Forwarded-For: 203.0.113.7", "X-Forwarded-For: 9.9.9.9");
        assertEquals(200, answer.status(), answer.body());
        String seen = new String(Base64.getDecoder().decode(answer.header("x-echo-headers")), StandardCharsets.UTF_8);
        assertTrue(seen.contains("x-forwarded-for=9.9.9.9\n"), seen);
        assertFalse(seen.contains("203.0.113.7"), seen);
    }

    @Test
    void metrics_name_routes_not_the_ids_in_them() {
        String id = UUID.randomUUID().toString();
        given().auth().oauth2(Callers.user()).get("/v1/billing/invoices/" + id).then().statusCode(200);
        String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertFalse(metrics.contains(id), "a raw path with an id is a metric label");
        assertTrue(metrics.contains("uri=\"/v1/billing/**\""), "the route's owner prefix labels it");
    }

    @Test
    void a_streamed_body_over_the_webhook_limit_is_413_not_502() {
        byte[] big = new byte[300 * 1024];
        java.util.Arrays.fill(big, (byte) 'a');
        given().contentType("application/json").body(new ByteArrayInputStream(big)).post("/v1/billing/webhooks/stripe")
                .then().statusCode(413).contentType("application/problem+json").body("code", equalTo("PAYLOAD_TOO_LARGE"));
    }

    @Test
    void overlong_targets_and_headers_are_problem_documents() {
        problem(get("/v1/billing/balance?x=" + "a".repeat(9000)), 414, "URI_TOO_LONG");
        problem(get("/v1/billing/balance", "X-Padding: " + "a".repeat(17_000)), 431, "HEADERS_TOO_LARGE");
    }
}
