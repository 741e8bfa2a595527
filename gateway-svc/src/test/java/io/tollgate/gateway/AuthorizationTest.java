package io.tollgate.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scopes, JWT-only and admin routes are decided at the door; identity headers cannot be forged. */
@QuarkusTest
@QuarkusTestResource(StandInUpstreams.class)
class AuthorizationTest {

    @Test
    void an_api_key_without_the_route_scope_is_403() {
        given().auth().oauth2(Callers.apiKey("proxy:read")).get("/v1/billing/balance").then().statusCode(403)
                .contentType("application/problem+json").body("code", equalTo("INSUFFICIENT_SCOPE"));
        given().auth().oauth2(Callers.apiKey("billing:read")).get("/v1/billing/balance").then().statusCode(200);
        given().auth().oauth2(Callers.apiKey("billing:read")).contentType("application/json").body("{}")
                .post("/v1/billing/purchases").then().statusCode(403).body("code", equalTo("INSUFFICIENT_SCOPE"));
        given().auth().oauth2(Callers.apiKey("billing:write")).contentType("application/json").body("{}")
                .post("/v1/billing/purchases").then().statusCode(201);
    }

    @Test
    void jwt_only_routes_refuse_api_keys_whatever_their_scopes() {
        String key = Callers.apiKey("billing:read", "billing:write", "webhooks:read", "webhooks:write", "account:read");
        for (String path : new String[]{"/v1/billing/top-ups", "/v1/billing/payment-methods", "/v1/billing/auto-topup",
                "/v1/billing/promo-codes/preview"}) {
            given().auth().oauth2(key).contentType("application/json").body("{}").post(path).then().statusCode(403)
                    .body("code", equalTo("JWT_ONLY"));
            given().auth().oauth2(Callers.user()).contentType("application/json").body("{}").post(path).then().statusCode(201);
        }
        given().auth().oauth2(key).get("/v1/notifications").then().statusCode(200);
        given().auth().oauth2(key).post("/v1/notifications/read-all").then().statusCode(403).body("code", equalTo("JWT_ONLY"));
    }

    @Test
    void admin_routes_need_the_admin_role_and_a_session() {
        given().auth().oauth2(Callers.user()).get("/v1/admin/billing/transactions").then().statusCode(403)
                .body("code", equalTo("ADMIN_ONLY"));
        given().auth().oauth2(Callers.apiKey("billing:read")).get("/v1/admin/billing/transactions").then().statusCode(403)
                .body("code", equalTo("JWT_ONLY"));
        given().auth().oauth2(Callers.admin()).get("/v1/admin/billing/transactions").then().statusCode(200);
    }

    @Test
    void identity_headers_a_caller_sends_never_reach_the_upstream() {
        Response response = given().auth().oauth2(Callers.user())
                .header("X-User-Id", "someone-else").header("X-Tenant-Id", "other-tenant")
                .header("X-Tollgate-Scopes", "everything").header("X-Auth-Source", "service")
                .header("X-API-Key", "tg_live_forged").header("Forwarded", "for=10.0.0.1")
                .get("/v1/billing/balance");
        response.then().statusCode(200);
        String seen = AuthenticationTest.echoedHeaders(response);
        for (String forged : new String[]{"x-user-id", "x-tenant-id", "x-tollgate-scopes", "x-auth-source", "x-api-key", "forwarded="}) {
            assertFalse(seen.contains(forged), forged + " reached the upstream: " + seen);
        }
        assertTrue(seen.contains("authorization=Bearer "), seen);
    }

    @Test
    void an_address_a_client_claims_behind_an_untrusted_hop_is_not_believed() {
        // Loopback is a trusted proxy here, so the right-most hop it reports is the client.
        Response response = given().auth().oauth2(Callers.user()).header("X-Forwarded-For", "203.0.113.9, 198.51.100.7")
                .get("/v1/billing/balance");
        String seen = AuthenticationTest.echoedHeaders(response);
        assertTrue(seen.contains("x-forwarded-for=198.51.100.7\n"), seen);
    }
}
