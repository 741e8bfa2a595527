package io.tollgate.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.identity.ApiKeyRevoked;
import io.tollgate.identity.support.Accounts;
import io.tollgate.kit.testing.KafkaProbe;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class ApiKeysTest {

    static String gatewayToken() {
        return given().contentType("application/json")
                .body("{\"client_id\": \"gateway\", \"client_secret\": \"local-development-secret-gateway-svc\"}")
                .post("/internal/tokens").then().statusCode(200).body("token_type", equalTo("Bearer"))
                .extract().path("access_token");
    }

    static Response exchange(String key, String ip) {
        return given().auth().oauth2(gatewayToken()).contentType("application/json")
                .body("{\"key\": \"" + key + "\", \"ip_address\": \"" + ip + "\"}").post("/internal/api-keys/exchange");
    }

    static Response create(String accessToken, String body) {
        return given().auth().oauth2(accessToken).contentType("application/json").body(body).post("/v1/api-keys");
    }

    @Test
    void a_key_is_shown_once_listed_masked_and_exchanged_for_a_scoped_token() throws Exception {
        Accounts.Account account = Accounts.signedIn();
        Response created = create(account.accessToken(), "{\"name\": \"render bot\", \"scopes\": [\"render:create\", \"render:read\"], "
                + "\"rate_limit_rpm\": 60, \"allowed_ips\": [\"127.0.0.1/32\"]}");
        created.then().statusCode(201)
                .body("secret_key", matchesPattern("^tg_live_[0-9A-Za-z]{38}$"))
                .body("key_prefix", matchesPattern("^tg_live_[0-9A-Za-z]{8}$"))
                .body("is_active", equalTo(true))
                .body("rate_limit_rpm", equalTo(60));
        String secret = created.path("secret_key");
        String id = created.path("id");
        assertEquals(secret.substring(secret.length() - 4), created.path("last4"));

        given().auth().oauth2(account.accessToken()).get("/v1/api-keys").then().statusCode(200)
                .body("meta.total", equalTo(1))
                .body("data[0].secret_key", nullValue())
                .body("data[0].key_prefix", equalTo(created.path("key_prefix")));

        Response exchanged = exchange(secret, "127.0.0.1");
        exchanged.then().statusCode(200).body("key_id", equalTo(id)).body("rate_limit_rpm", equalTo(60))
                .body("scopes", hasItem("render:create"));
        String keyToken = exchanged.path("access_token");
        JwtClaims claims = LoginTest.verifyWithJwks(keyToken);
        assertEquals(id, claims.getStringClaimValue("akid"));
        assertEquals("api_key", claims.getStringClaimValue("auth_src"));
        assertEquals("render:create render:read", claims.getStringClaimValue("scope"));

        // The key's token is not a session: no key management, and account:read is not among its scopes.
        given().auth().oauth2(keyToken).get("/v1/api-keys").then().statusCode(403).body("code", equalTo("JWT_ONLY"));
        given().auth().oauth2(keyToken).get("/v1/me").then().statusCode(403).body("code", equalTo("INSUFFICIENT_SCOPE"));
        // Usage is counted in memory and written in batches (every second in tests).
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && given().auth().oauth2(account.accessToken()).get("/v1/api-keys/" + id)
                .then().extract().<Integer>path("usage_count") == 0) {
            Thread.sleep(200);
        }
        given().auth().oauth2(account.accessToken()).get("/v1/api-keys/" + id).then().statusCode(200)
                .body("usage_count", equalTo(1)).body("last_used_at", notNullValue());
    }

    @Test
    void the_allowed_addresses_are_enforced() {
        Accounts.Account account = Accounts.signedIn();
        String secret = create(account.accessToken(), "{\"name\": \"office\", \"scopes\": [\"account:read\"], "
                + "\"allowed_ips\": [\"10.0.0.0/8\", \"2001:db8::/32\"]}").then().statusCode(201).extract().path("secret_key");
        exchange(secret, "10.20.30.40").then().statusCode(200);
        exchange(secret, "2001:db8:1::5").then().statusCode(200);
        exchange(secret, "192.168.1.1").then().statusCode(403).contentType("application/problem+json")
                .body("code", equalTo("IP_NOT_ALLOWED"));
        String token = exchange(secret, "10.0.0.1").path("access_token");
        given().auth().oauth2(token).get("/v1/me").then().statusCode(200)
                .body("auth.source", equalTo("api_key")).body("auth.api_key_id", notNullValue());
    }

    @Test
    void regenerating_kills_the_old_secret_at_once_and_revoking_kills_the_key() {
        Accounts.Account account = Accounts.signedIn();
        Response created = create(account.accessToken(), "{\"name\": \"ci\", \"scopes\": [\"proxy:read\"]}");
        String id = created.path("id");
        String old = created.path("secret_key");
        String fresh = given().auth().oauth2(account.accessToken()).post("/v1/api-keys/" + id + "/regenerate")
                .then().statusCode(200).body("secret_key", notNullValue()).extract().path("secret_key");
        exchange(old, "127.0.0.1").then().statusCode(401).body("code", equalTo("INVALID_API_KEY"));
        exchange(fresh, "127.0.0.1").then().statusCode(200);

        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "identity.events")) {
            given().auth().oauth2(account.accessToken()).post("/v1/api-keys/" + id + "/revoke")
                    .then().statusCode(200).body("is_active", equalTo(false));
            ConsumerRecord<String, byte[]> event = probe.first(r -> id.equals(r.key())
                    && ApiKeyRevoked.TYPE.equals(KafkaProbe.header(r, "ce_type")), Duration.ofSeconds(20));
            EventSchemas.assertValid(ApiKeyRevoked.TYPE, event.value());
        }
        exchange(fresh, "127.0.0.1").then().statusCode(401).body("code", equalTo("API_KEY_REVOKED"));
        given().auth().oauth2(account.accessToken()).post("/v1/api-keys/" + id + "/revoke").then().statusCode(409);
        given().auth().oauth2(account.accessToken()).delete("/v1/api-keys/" + id).then().statusCode(204);
        given().auth().oauth2(account.accessToken()).get("/v1/api-keys/" + id).then().statusCode(404);
    }

    @Test
    void an_expired_key_and_a_mistyped_key_are_refused() throws Exception {
        Accounts.Account account = Accounts.signedIn();
        String secret = create(account.accessToken(), "{\"name\": \"short\", \"scopes\": [\"proxy:read\"], \"expires_at\": \""
                + Instant.now().plusSeconds(2) + "\"}").then().statusCode(201).extract().path("secret_key");
        exchange(secret, "127.0.0.1").then().statusCode(200).body("expires_in", org.hamcrest.Matchers.lessThanOrEqualTo(2));
        Thread.sleep(2_500);
        exchange(secret, "127.0.0.1").then().statusCode(401).body("code", equalTo("API_KEY_EXPIRED"));

        char last = secret.charAt(secret.length() - 1);
        String typo = secret.substring(0, secret.length() - 1) + (last == 'a' ? 'b' : 'a');
        exchange(typo, "127.0.0.1").then().statusCode(401).body("code", equalTo("INVALID_API_KEY"));
    }

    @Test
    void bad_settings_are_refused_field_by_field() {
        Accounts.Account account = Accounts.signedIn();
        create(account.accessToken(), "{\"name\": \"x\", \"scopes\": [\"root:everything\"]}")
                .then().statusCode(400).body("errors[0].field", equalTo("scopes[0]"));
        create(account.accessToken(), "{\"name\": \"x\", \"scopes\": [\"proxy:read\"], \"allowed_ips\": [\"10.0.0.0/33\"]}")
                .then().statusCode(400).body("errors[0].field", equalTo("allowed_ips[0]"));
        create(account.accessToken(), "{\"name\": \"x\", \"scopes\": [\"proxy:read\"], \"rate_limit_rpm\": 5}")
                .then().statusCode(400).body("errors[0].field", equalTo("rate_limit_rpm"));
        create(account.accessToken(), "{\"name\": \"<script>\", \"scopes\": [\"proxy:read\"]}")
                .then().statusCode(400).body("errors[0].field", equalTo("name"));
        given().auth().oauth2(account.accessToken()).get("/v1/api-keys").then().body("meta.total", equalTo(0));
        given().auth().oauth2(account.accessToken()).get("/v1/api-keys/scopes").then().statusCode(200)
                .body("scope", hasItem("render:create"));
    }

    @Test
    void another_users_key_is_not_found_and_only_the_gateway_may_exchange() {
        Accounts.Account mine = Accounts.signedIn();
        Accounts.Account theirs = Accounts.signedIn();
        String theirKey = create(theirs.accessToken(), "{\"name\": \"theirs\", \"scopes\": [\"proxy:read\"]}").path("id");
        given().auth().oauth2(mine.accessToken()).get("/v1/api-keys/" + theirKey).then().statusCode(404);
        given().auth().oauth2(mine.accessToken()).post("/v1/api-keys/" + theirKey + "/revoke").then().statusCode(404);
        given().auth().oauth2(mine.accessToken()).delete("/v1/api-keys/" + theirKey).then().statusCode(404);

        given().auth().oauth2(mine.accessToken()).contentType("application/json")
                .body("{\"key\": \"tg_live_x\", \"ip_address\": \"127.0.0.1\"}").post("/internal/api-keys/exchange")
                .then().statusCode(403).body("code", equalTo("SERVICE_ONLY"));
        String billing = given().contentType("application/json")
                .body("{\"client_id\": \"billing\", \"client_secret\": \"local-development-secret-billing-svc\"}")
                .post("/internal/tokens").then().statusCode(200).header("Cache-Control", "no-store")
                .extract().path("access_token");
        given().auth().oauth2(billing).contentType("application/json")
                .body("{\"key\": \"tg_live_x\", \"ip_address\": \"127.0.0.1\"}").post("/internal/api-keys/exchange")
                .then().statusCode(403);
        given().contentType("application/json").body("{\"client_id\": \"gateway\", \"client_secret\": \"guess\"}")
                .post("/internal/tokens").then().statusCode(401).body("code", equalTo("INVALID_CLIENT"));
    }

    @Test
    void each_service_has_its_own_secret_and_one_cannot_mint_for_another() {
        // billing's secret does not make a gateway token (one shared secret used to mint any client id)
        given().contentType("application/json")
                .body("{\"client_id\": \"gateway\", \"client_secret\": \"local-development-secret-billing-svc\"}")
                .post("/internal/tokens").then().statusCode(401).body("code", equalTo("INVALID_CLIENT"));
        given().contentType("application/json")
                .body("{\"client_id\": \"someone\", \"client_secret\": \"local-development-secret-billing-svc\"}")
                .post("/internal/tokens").then().statusCode(401).body("code", equalTo("INVALID_CLIENT"));
        given().contentType("application/json")
                .body("{\"client_id\": \"render\", \"client_secret\": \"local-development-secret-render-svc\"}")
                .post("/internal/tokens").then().statusCode(200).header("Cache-Control", "no-store")
                .header("Pragma", "no-cache");
    }
}
