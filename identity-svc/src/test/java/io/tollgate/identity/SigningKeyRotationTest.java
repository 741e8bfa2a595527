package io.tollgate.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.identity.keys.SigningKeys;
import io.tollgate.identity.support.Accounts;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
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
    private final Pool pool;

    SigningKeyRotationTest(SigningKeys keys, Pool pool) {
        this.keys = keys;
        this.pool = pool;
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
        given().get("/.well-known/openid-configuration").then().statusCode(200)
                .body("issuer", equalTo("https://tollgate.local"))
                .body("jwks_uri", equalTo("http://127.0.0.1:8080/.well-known/jwks.json"))
                .body("id_token_signing_alg_values_supported", hasItem("RS256"));
    }

    @Test
    void discovery_never_echoes_a_host_the_caller_chose() {
        for (String host : new String[]{"evil.example", "evil.example:443", "127.0.0.1:8080@evil.example"}) {
            given().header("X-Forwarded-Host", host).header("X-Forwarded-Proto", "https")
                    .get("/.well-known/openid-configuration").then().statusCode(200)
                    .body("jwks_uri", equalTo("http://127.0.0.1:8080/.well-known/jwks.json"))
                    .body("token_endpoint", equalTo("http://127.0.0.1:8080/v1/auth/login"));
        }
    }

    @Test
    void discovery_on_a_tenants_verified_domain_names_that_domain() {
        String domain = "auth-" + java.util.UUID.randomUUID().toString().substring(0, 8) + ".example.com";
        String unverified = "un" + domain;
        String suffix = domain.substring(5, 13);
        pool.preparedQuery("insert into tenants (id, slug, name, contact_email, custom_domain, domain_verified)"
                        + " values (gen_random_uuid(), $1, $1, 'ops@example.com', $2, true),"
                        + " (gen_random_uuid(), $3, $3, 'ops@example.com', $4, false)")
                .execute(Tuple.of("t-" + suffix, domain, "u-" + suffix, unverified)).await().indefinitely();
        given().header("X-Forwarded-Host", domain).get("/.well-known/openid-configuration").then().statusCode(200)
                .body("jwks_uri", equalTo("https://" + domain + "/.well-known/jwks.json"));
        given().header("X-Forwarded-Host", unverified).get("/.well-known/openid-configuration").then().statusCode(200)
                .body("jwks_uri", equalTo("http://127.0.0.1:8080/.well-known/jwks.json"));
    }
}
