package io.tollgate.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(StandInUpstreams.class)
class ReverseProxyTest {

    @Test
    void a_public_path_reaches_its_owner_with_method_query_and_body_byte_exact() {
        byte[] body = "{\"id\":\"evt_1\",  \"amount\": 1999}\n".getBytes(StandardCharsets.UTF_8);
        Response response = given().contentType("application/json").body(body)
                .post("/v1/billing/webhooks/stripe?x=1&y=two");
        response.then().statusCode(201)
                .header("X-Echo-Method", "POST")
                .header("X-Echo-Uri", "/v1/billing/webhooks/stripe?x=1&y=two")
                .header("X-Request-Id", notNullValue());
        assertArrayEquals(body, response.asByteArray());
    }

    @Test
    void the_request_id_and_forwarding_headers_travel_upstream_and_hop_headers_do_not() {
        Response response = given().header("X-Request-Id", "gw-test-1").header("Proxy-Authorization", "secret")
                .auth().oauth2(Callers.user()).get("/v1/billing/balance");
        response.then().statusCode(200).header("X-Request-Id", "gw-test-1");
        String seen = new String(Base64.getDecoder().decode(response.getHeader("X-Echo-Headers")), StandardCharsets.UTF_8);
        assertTrue(seen.contains("x-request-id=gw-test-1"), seen);
        assertTrue(seen.contains("x-forwarded-for=127.0.0.1"), seen);
        assertFalse(seen.contains("proxy-authorization"), seen);
        // a GET without a body goes upstream without one, not as an empty chunked stream
        assertFalse(seen.contains("transfer-encoding"), seen);
    }

    @Test
    void a_chunked_body_is_streamed_upstream_whole() throws Exception {
        byte[] body = "{\"chunked\": true, \"pad\": \"0123456789\"}".getBytes(StandardCharsets.UTF_8);
        // a body publisher of unknown length makes the JDK client send Transfer-Encoding: chunked
        HttpRequest request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port
                        + "/v1/billing/webhooks/stripe"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(201, response.statusCode());
            String seen = new String(Base64.getDecoder().decode(response.headers().firstValue("X-Echo-Headers").orElseThrow()),
                    StandardCharsets.UTF_8);
            assertTrue(seen.contains("transfer-encoding=chunked"), seen);
            assertArrayEquals(body, response.body());
        }
    }

    @Test
    void the_hosted_pages_reach_their_owners_without_a_credential_and_leave_with_the_page_headers() {
        for (String page : List.of("/", "/?tenant=acme", "/verify-email?token=abc", "/reset-password?token=abc",
                "/email-preferences?token=abc", "/unsubscribe?token=abc", "/billing/payments/3f1c9a8e-0000-4000-8000-000000000001?sig=x")) {
            given().get(page).then().statusCode(200).header("X-Echo-Uri", page)
                    .header("Cache-Control", "no-store").header("Referrer-Policy", "no-referrer")
                    .header("X-Content-Type-Options", "nosniff").header("X-Frame-Options", "DENY")
                    .header("Content-Security-Policy", org.hamcrest.Matchers.containsString("frame-ancestors 'none'"))
                    .header("Content-Security-Policy", not(org.hamcrest.Matchers.containsString("unsafe-inline")));
        }
        // forms post without a credential, and are not JSON; RFC 8058's one-click body too
        given().contentType("application/x-www-form-urlencoded").formParam("List-Unsubscribe", "One-Click")
                .post("/unsubscribe?token=abc").then().statusCode(201).header("X-Echo-Method", "POST");
        given().contentType("application/x-www-form-urlencoded").formParam("token", "abc").formParam("password", "x")
                .post("/reset-password").then().statusCode(201);
        given().contentType("application/x-www-form-urlencoded").body("x=" + "a".repeat(20_000)).post("/email-preferences?token=abc")
                .then().statusCode(413);
        // API answers keep their own headers; "/" matches only itself, and other methods on a page need a session
        given().auth().oauth2(Callers.user()).get("/v1/billing/balance").then().statusCode(200).header("Referrer-Policy", (String) null);
        given().get("/verify-emails").then().statusCode(404);
        given().get("/anything").then().statusCode(404);
        given().delete("/verify-email").then().statusCode(401);
        given().get("/billing/payments").then().statusCode(401);
    }

    @Test
    void a_refusal_on_a_page_is_a_page() {
        String ip = "198.18.7." + (System.nanoTime() % 250 + 1);
        for (int i = 0; i < 5; i++) {
            given().header("X-Forwarded-For", ip).contentType("application/x-www-form-urlencoded").formParam("action", "request")
                    .post("/reset-password").then().statusCode(201);
        }
        given().header("X-Forwarded-For", ip).contentType("application/x-www-form-urlencoded").formParam("action", "request")
                .post("/reset-password").then().statusCode(429).contentType(org.hamcrest.Matchers.startsWith("text/html"))
                .header("Retry-After", notNullValue()).header("Referrer-Policy", "no-referrer")
                .body(org.hamcrest.Matchers.containsString("<h1>Too many requests</h1>"));
    }

    @Test
    void swagger_ui_still_answers_at_v1_docs() {
        given().redirects().follow(true).get("/v1/docs/").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("swagger"));
    }

    @Test
    void a_prefix_matches_only_whole_segments() {
        given().get("/v1/billingfoo").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void an_unreachable_upstream_is_a_502_problem() {
        given().auth().oauth2(Callers.user()).get("/v1/ports").then().statusCode(502).contentType("application/problem+json")
                .body("code", equalTo("UPSTREAM_UNAVAILABLE"))
                .body("request_id", notNullValue());
    }

    @Test
    void a_slow_upstream_is_a_504_problem_after_the_route_timeout() {
        given().auth().oauth2(Callers.user()).get("/v1/jobs/slow").then().statusCode(504).contentType("application/problem+json")
                .body("code", equalTo("UPSTREAM_TIMEOUT"))
                .body("detail", not(equalTo("")));
    }
}
