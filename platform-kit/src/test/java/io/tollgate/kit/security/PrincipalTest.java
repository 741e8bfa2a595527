package io.tollgate.kit.security;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.TestTokens;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class PrincipalTest {

    private final UUID user = UUID.randomUUID();
    private final UUID tenant = UUID.randomUUID();

    @Inject
    VerifiedTokens verified;

    @Test
    void a_user_token_gives_user_tenant_roles_and_source() {
        String token = TestTokens.user(user, tenant).roles("customer", "tenant_admin").sign();
        given().auth().oauth2(token).get("/probe/me")
                .then().statusCode(200)
                .body("user_id", equalTo(user.toString()))
                .body("tenant_id", equalTo(tenant.toString()))
                .body("roles", containsInAnyOrder("customer", "tenant_admin"))
                .body("source", equalTo("JWT"))
                .body("email_verified", equalTo(true));
    }

    @Test
    void an_api_key_token_carries_the_key_id_and_its_scopes() {
        UUID key = UUID.randomUUID();
        String token = TestTokens.user(user, tenant).apiKey(key, "proxy:read", "billing:read").sign();
        given().auth().oauth2(token).get("/probe/me")
                .then().statusCode(200)
                .body("api_key_id", equalTo(key.toString()))
                .body("scopes", containsInAnyOrder("proxy:read", "billing:read"))
                .body("source", equalTo("API_KEY"));
    }

    @Test
    void a_verified_token_is_remembered_by_the_service_parser() {
        String token = TestTokens.user(user, tenant).sign();
        int before = verified.size();
        given().auth().oauth2(token).get("/probe/me").then().statusCode(200);
        given().auth().oauth2(token).get("/probe/me").then().statusCode(200);
        assertEquals(before + 1, verified.size());
    }

    @Test
    void no_token_is_a_401_problem_with_a_bearer_challenge() {
        given().get("/probe/me").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer").body("code", equalTo("UNAUTHORIZED"));
    }

    @Test
    void expired_foreign_or_tampered_tokens_are_refused() {
        String expired = TestTokens.user(user, tenant).expiresAt(Instant.now().minusSeconds(120)).sign();
        given().auth().oauth2(expired).get("/probe/me").then().statusCode(401).contentType("application/problem+json");

        String otherIssuer = TestTokens.user(user, tenant).issuer("https://evil.example").sign();
        given().auth().oauth2(otherIssuer).get("/probe/me").then().statusCode(401);

        String otherAudience = TestTokens.user(user, tenant).audience("someone-else").sign();
        given().auth().oauth2(otherAudience).get("/probe/me").then().statusCode(401);

        String good = TestTokens.user(user, tenant).sign();
        String[] parts = good.split("\\.");
        String forgedClaims = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"sub\":\"" + UUID.randomUUID() + "\",\"iss\":\"https://tollgate.local\",\"aud\":\"tollgate\","
                        + "\"exp\":" + (Instant.now().getEpochSecond() + 600) + ",\"groups\":[\"admin\"]}").getBytes());
        given().auth().oauth2(parts[0] + "." + forgedClaims + "." + parts[2]).get("/probe/me").then().statusCode(401);

        // once the genuine token is verified (and remembered), the same claims under another signature still fail
        given().auth().oauth2(good).get("/probe/me").then().statusCode(200);
        String signature = parts[2];
        char flipped = signature.charAt(10) == 'A' ? 'B' : 'A';
        String resigned = parts[0] + "." + parts[1] + "." + signature.substring(0, 10) + flipped + signature.substring(11);
        given().auth().oauth2(resigned).get("/probe/me").then().statusCode(401);
        given().auth().oauth2(good).get("/probe/me").then().statusCode(200);

        String unsigned = parts[0].replace(parts[0], java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"alg\":\"none\"}".getBytes())) + "." + parts[1] + ".";
        given().auth().oauth2(unsigned).get("/probe/me").then().statusCode(401);
    }
}
