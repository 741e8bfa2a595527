package io.tollgate.e2e;

import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sign-up to API key, entirely through the gateway's port. */
@ExtendWith(FleetExtension.class)
class IdentityJourneyTest {

    private static final String PASSWORD = Journeys.PASSWORD;

    @Test
    void register_verify_sign_in_refresh_and_create_an_api_key(Fleet fleet) {
        String gateway = fleet.gatewayUrl();
        String ip = Journeys.randomIp();
        String email = "journey-" + UUID.randomUUID() + "@example.com";
        String register = "{\"tenant_slug\": \"default\", \"email\": \"" + email + "\", \"password\": \"" + PASSWORD
                + "\", \"full_name\": \"Journey User\", \"accept_terms\": true}";
        String userId = Journeys.at(gateway, ip).contentType("application/json").body(register).post("/v1/auth/register")
                .then().statusCode(201).body("verification_required", equalTo(true)).extract().path("user_id");
        Journeys.at(gateway, ip).contentType("application/json").body(register).post("/v1/auth/register")
                .then().statusCode(409).contentType("application/problem+json").body("code", equalTo("EMAIL_TAKEN"));

        Journeys.at(gateway, ip).contentType("application/json").body("{\"token\": \"" + Journeys.verificationToken(fleet, email) + "\"}")
                .post("/v1/auth/verify/email").then().statusCode(200).body("email_verified", equalTo(true));

        Response login = Journeys.at(gateway, ip).contentType("application/json")
                .body("{\"email\": \"" + email + "\", \"password\": \"" + PASSWORD + "\", \"device_name\": \"e2e\"}")
                .post("/v1/auth/login");
        login.then().statusCode(200).body("token_type", equalTo("Bearer")).body("expires_in", equalTo(900))
                .body("user.email_verified", equalTo(true));
        String access = login.path("access_token");

        Journeys.at(gateway, ip).auth().oauth2(access).get("/v1/me").then().statusCode(200)
                .body("id", equalTo(userId)).body("auth.source", equalTo("jwt")).body("email_verified", equalTo(true));

        Response refreshed = Journeys.at(gateway, ip).contentType("application/json")
                .body("{\"refresh_token\": \"" + login.path("refresh_token") + "\"}").post("/v1/auth/refresh");
        refreshed.then().statusCode(200);
        assertNotEquals(login.<String>path("refresh_token"), refreshed.<String>path("refresh_token"));

        Journeys.at(gateway, ip).auth().oauth2(access).get("/v1/auth/sessions").then().statusCode(200)
                .body("meta.total", equalTo(1)).body("data[0].is_current", equalTo(true))
                .body("data[0].ip_address", equalTo(ip));

        Response key = Journeys.at(gateway, ip).auth().oauth2(access).contentType("application/json")
                .body("{\"name\": \"journey\", \"scopes\": [\"render:create\", \"render:read\"], \"rate_limit_rpm\": 60}")
                .post("/v1/api-keys");
        key.then().statusCode(201).body("secret_key", matchesPattern("^tg_live_[0-9A-Za-z]{38}$"));
        Journeys.at(gateway, ip).auth().oauth2(access).get("/v1/api-keys").then().statusCode(200)
                .body("data[0].secret_key", nullValue()).body("data[0].last4", notNullValue());
    }

    @Test
    void the_token_authority_is_public_at_the_gateway(Fleet fleet) {
        String gateway = fleet.gatewayUrl();
        List<String> kids = given().baseUri(gateway).get("/.well-known/jwks.json").then().statusCode(200)
                .extract().jsonPath().getList("keys.kid");
        assertTrue(kids.size() >= 2, "the active key and the pre-published next key (and recently retired ones)");
        given().baseUri(gateway).get("/.well-known/openid-configuration").then().statusCode(200)
                .body("jwks_uri", equalTo(gateway + "/.well-known/jwks.json"));
    }
}
