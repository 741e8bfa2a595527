package io.tollgate.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.identity.support.Accounts;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class LoginTest {

    /** Verifies a token the way any other service does: RS256 against the published JWKS. */
    static JwtClaims verifyWithJwks(String token) throws Exception {
        String jwks = given().get("/.well-known/jwks.json").then().statusCode(200).extract().asString();
        return new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setExpectedIssuer("https://tollgate.local")
                .setExpectedAudience("tollgate")
                .setVerificationKeyResolver(new JwksVerificationKeyResolver(new JsonWebKeySet(jwks).getJsonWebKeys()))
                .build().processToClaims(token);
    }

    @Test
    void a_login_returns_a_bearer_pair_whose_access_token_verifies_against_the_jwks() throws Exception {
        String email = Accounts.newEmail();
        String userId = Accounts.register(email).then().statusCode(201).extract().path("user_id");
        Response login = Accounts.login(email, Accounts.PASSWORD);
        login.then().statusCode(200)
                .body("token_type", equalTo("Bearer"))
                .body("expires_in", equalTo(900))
                .body("refresh_token", notNullValue())
                .body("user.id", equalTo(userId))
                .body("user.email_verified", equalTo(false));

        JwtClaims claims = verifyWithJwks(login.path("access_token"));
        assertEquals(userId, claims.getSubject());
        assertEquals("00000000-0000-4000-8000-000000000001", claims.getStringClaimValue("tid"));
        assertNotNull(claims.getStringClaimValue("sid"));
        assertEquals(List.of("customer"), claims.getStringListClaimValue("groups"));
        assertEquals(Boolean.FALSE, claims.getClaimValue("email_verified"));
        assertEquals(List.of("pwd"), claims.getStringListClaimValue("amr"));
        assertTrue(claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue() == 900);

        given().auth().oauth2(login.path("access_token")).get("/v1/me").then().statusCode(200)
                .body("id", equalTo(userId))
                .body("email", equalTo(email))
                .body("auth.source", equalTo("jwt"))
                .body("auth.session_id", equalTo(claims.getStringClaimValue("sid")));
    }

    @Test
    void a_wrong_password_and_an_unknown_account_get_the_same_answer() {
        String email = Accounts.newEmail();
        Accounts.register(email).then().statusCode(201);
        String wrong = Accounts.login(email, "Wrong-Pass-1").then().statusCode(401)
                .contentType("application/problem+json").extract().path("code");
        String unknown = Accounts.login(Accounts.newEmail(), "Wrong-Pass-1").then().statusCode(401).extract().path("code");
        assertEquals("INVALID_CREDENTIALS", wrong);
        assertEquals(wrong, unknown);
    }

    @Test
    void five_failures_lock_the_account_for_a_minute_known_or_not() {
        String email = Accounts.newEmail();
        Accounts.register(email).then().statusCode(201);
        for (int i = 0; i < 5; i++) {
            Accounts.login(email, "Wrong-Pass-" + i).then().statusCode(401);
        }
        // Locked: even the right password waits.
        Accounts.login(email, Accounts.PASSWORD).then().statusCode(429).contentType("application/problem+json")
                .body("code", equalTo("RATE_LIMITED"))
                .header("Retry-After", org.hamcrest.Matchers.matchesPattern("^(60|59|58|57)$"));

        String ghost = Accounts.newEmail();
        for (int i = 0; i < 5; i++) {
            Accounts.login(ghost, "Wrong-Pass-" + i).then().statusCode(401);
        }
        Accounts.login(ghost, "Wrong-Pass-x").then().statusCode(429).body("code", equalTo("RATE_LIMITED"));
    }

    @Test
    void twenty_failures_from_one_address_lock_that_address_for_every_account() {
        String ip = Accounts.someIp();
        for (int i = 0; i < 20; i++) {
            Accounts.login(Accounts.newEmail(), "Wrong-Pass-1", ip).then().statusCode(401);
        }
        Accounts.Account account = Accounts.signedIn();
        Accounts.login(account.email(), Accounts.PASSWORD, ip).then().statusCode(429).header("Retry-After", org.hamcrest.Matchers.notNullValue());
        Accounts.login(account.email(), Accounts.PASSWORD, Accounts.someIp()).then().statusCode(200);
    }

    @Test
    void attempts_are_recorded_in_the_login_history() {
        String email = Accounts.newEmail();
        Accounts.register(email).then().statusCode(201);
        Accounts.login(email, "Wrong-Pass-1").then().statusCode(401);
        String token = Accounts.login(email, Accounts.PASSWORD).then().statusCode(200).extract().path("access_token");
        given().auth().oauth2(token).get("/v1/auth/login-history").then().statusCode(200)
                .body("meta.total", equalTo(2))
                .body("data[0].success", equalTo(true))
                .body("data[0].user_agent", equalTo("tests/1.0"))
                .body("data[1].success", equalTo(false))
                .body("data[1].error_code", equalTo("INVALID_CREDENTIALS"));
        given().auth().oauth2(token).get("/v1/auth/login-history?success=false").then().statusCode(200)
                .body("meta.total", equalTo(1));
    }

    @Test
    void the_profile_can_be_changed_and_bad_tokens_are_refused() {
        Accounts.Account account = Accounts.signedIn();
        given().auth().oauth2(account.accessToken()).contentType("application/json")
                .body("{\"full_name\": \"Renamed Person\"}").patch("/v1/me")
                .then().statusCode(200).body("full_name", equalTo("Renamed Person"));
        given().auth().oauth2(account.accessToken()).contentType("application/json")
                .body("{\"full_name\": \"\"}").patch("/v1/me")
                .then().statusCode(400).body("errors[0].field", equalTo("full_name"));
        given().get("/v1/me").then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(account.accessToken() + "x").get("/v1/me").then().statusCode(401);
        given().auth().oauth2(account.accessToken()).get("/v1/me").then().statusCode(200)
                .body("created_at", notNullValue()).body("full_name", equalTo("Renamed Person"));
        given().get("/.well-known/jwks.json").then().statusCode(200).body("keys.size()", greaterThan(1));
    }
}
