package io.tollgate.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.identity.keys.SigningKeys;
import io.tollgate.identity.support.Accounts;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class SigningKeyRotationTest {

    private final SigningKeys keys;

    SigningKeyRotationTest(SigningKeys keys) {
        this.keys = keys;
    }

    private static List<String> publishedKids() {
        return given().get("/.well-known/jwks.json").then().statusCode(200).extract().jsonPath().getList("keys.kid");
    }

    private static String kidOf(String token) throws Exception {
        return new org.jose4j.jws.JsonWebSignature() {{
            setCompactSerialization(token);
        }}.getKeyIdHeaderValue();
    }

    @Test
    void the_next_key_is_published_before_it_signs_and_no_valid_token_is_refused_across_a_rotation() throws Exception {
        Accounts.Account before = Accounts.signedIn();
        String oldKid = kidOf(before.accessToken());
        String nextKid = keys.keys().stream().filter(k -> "next".equals(k.state())).findFirst().orElseThrow().kid();
        assertNotEquals(oldKid, nextKid);
        assertTrue(publishedKids().contains(nextKid), "the next key is published before it signs");

        keys.rotate().await().indefinitely();

        Accounts.Account after = Accounts.signedIn();
        assertEquals(nextKid, kidOf(after.accessToken()), "the pre-published key signs after the rotation");
        List<String> kids = publishedKids();
        assertTrue(kids.contains(oldKid), "the retired key stays published while its tokens live");
        assertTrue(kids.contains(nextKid));

        // Tokens from both sides of the rotation verify, at identity and against the JWKS.
        for (String token : List.of(before.accessToken(), after.accessToken())) {
            given().auth().oauth2(token).get("/v1/me").then().statusCode(200);
            LoginTest.verifyWithJwks(token);
        }
    }

    @Test
    void discovery_points_at_the_gateway_and_names_rs256() {
        given().header("X-Forwarded-Host", "api.example.com").header("X-Forwarded-Proto", "https")
                .get("/.well-known/openid-configuration").then().statusCode(200)
                .body("issuer", equalTo("https://tollgate.local"))
                .body("jwks_uri", equalTo("https://api.example.com/.well-known/jwks.json"))
                .body("id_token_signing_alg_values_supported", hasItem("RS256"));
    }
}
