package io.tollgate.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CORS, body size and type, request id and trace context at the door. */
@QuarkusTest
@QuarkusTestResource(StandInUpstreams.class)
class EdgeTest {

    private static final Pattern TRACEPARENT = Pattern.compile("traceparent=00-([0-9a-f]{32})-([0-9a-f]{16})-01");

    @Test
    void a_preflight_from_an_allowed_origin_is_answered_by_the_gateway() {
        given().header("Origin", "https://app.example.test").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type")
                .options("/v1/billing/purchases").then().statusCode(204)
                .header("Access-Control-Allow-Origin", "https://app.example.test")
                .header("Access-Control-Allow-Methods", containsString("POST"))
                .header("Access-Control-Allow-Headers", containsString("Authorization"))
                .header("Access-Control-Allow-Credentials", nullValue());
        given().header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
                .options("/v1/billing/purchases").then().statusCode(403).body("code", equalTo("CORS_ORIGIN_NOT_ALLOWED"))
                .header("Access-Control-Allow-Origin", nullValue());
    }

    @Test
    void an_allowed_origin_can_read_the_answer_and_another_cannot() {
        given().auth().oauth2(Callers.user()).header("Origin", "https://app.example.test").get("/v1/billing/balance")
                .then().statusCode(200).header("Access-Control-Allow-Origin", "https://app.example.test")
                .header("Access-Control-Expose-Headers", containsString("RateLimit"));
        given().auth().oauth2(Callers.user()).header("Origin", "https://evil.example").get("/v1/billing/balance")
                .then().statusCode(200).header("Access-Control-Allow-Origin", nullValue());
    }

    @Test
    void a_body_over_the_limit_is_413_whether_its_length_is_declared_or_streamed() {
        byte[] big = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        given().auth().oauth2(Callers.user()).contentType("application/json").body(big).post("/v1/billing/purchases")
                .then().statusCode(413).body("code", equalTo("PAYLOAD_TOO_LARGE"));
        // an InputStream body goes out chunked, with no Content-Length
        given().auth().oauth2(Callers.user()).contentType("application/json").body(new ByteArrayInputStream(big))
                .post("/v1/billing/purchases").then().statusCode(413).body("code", equalTo("PAYLOAD_TOO_LARGE"));
        given().auth().oauth2(Callers.user()).contentType("application/json").body(new ByteArrayInputStream("{}".getBytes()))
                .post("/v1/billing/purchases").then().statusCode(201);
    }

    @Test
    void a_json_route_refuses_other_media_types_and_a_webhook_takes_any() {
        given().auth().oauth2(Callers.user()).contentType("text/plain").body("hello").post("/v1/billing/purchases")
                .then().statusCode(415).body("code", equalTo("UNSUPPORTED_MEDIA_TYPE"));
        given().auth().oauth2(Callers.user()).contentType("application/merge-patch+json").body("{}")
                .post("/v1/billing/purchases").then().statusCode(201);
        given().contentType("application/x-www-form-urlencoded").body("a=b").post("/v1/billing/webhooks/coingate")
                .then().statusCode(201);
    }

    @Test
    void a_request_id_is_generated_when_absent_and_an_unsafe_one_is_replaced() {
        given().auth().oauth2(Callers.user()).get("/v1/billing/balance").then()
                .header("X-Request-Id", matchesPattern("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
        given().auth().oauth2(Callers.user()).header("X-Request-Id", "bad id\" with spaces").get("/v1/billing/balance")
                .then().header("X-Request-Id", matchesPattern("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
    }

    @Test
    void the_trace_continues_with_a_new_span_or_starts_when_missing() {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        Response continued = given().auth().oauth2(Callers.user())
                .header("traceparent", "00-" + trace + "-00f067aa0ba902b7-01").get("/v1/billing/balance");
        Matcher m = TRACEPARENT.matcher(AuthenticationTest.echoedHeaders(continued));
        assertTrue(m.find());
        assertEquals(trace, m.group(1));
        assertNotEquals("00f067aa0ba902b7", m.group(2));

        Response started = given().auth().oauth2(Callers.user()).header("traceparent", "garbage").get("/v1/billing/balance");
        Matcher fresh = TRACEPARENT.matcher(AuthenticationTest.echoedHeaders(started));
        assertTrue(fresh.find());
        assertNotEquals(trace, fresh.group(1));
    }
}
