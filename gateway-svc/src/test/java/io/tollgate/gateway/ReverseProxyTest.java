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
