package io.tollgate.proxy;

import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.TestTokens;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Pool credentials: made on first read, shown again, changed within the seed's bounds, sealed at rest, each user's own. */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class PoolCredentialsTest {

    @Test
    void pool_credentials_are_shown_again_changed_and_kept_sealed() {
        Fixtures.Caller caller = Fixtures.user();
        String path = "/v1/proxy/pool/credentials";
        String first = given().auth().oauth2(caller.token()).get(path).then().statusCode(200)
                .body("username", equalTo("tg_" + caller.id().toString().replace("-", ""))).extract().path("password");
        given().auth().oauth2(caller.token()).get(path).then().statusCode(200).body("password", equalTo(first));
        for (String bad : new String[] {"{\"password\": \"short\"}", "{\"password\": \"" + "x".repeat(65) + "\"}",
                "{\"password\": \"with space\"}", "{}"}) {
            given().auth().oauth2(caller.token()).contentType("application/json").body(bad).patch(path).then().statusCode(400)
                    .body("code", equalTo("VALIDATION_ERROR"));
        }
        given().auth().oauth2(caller.token()).get(path).then().body("password", equalTo(first));
        given().auth().oauth2(caller.token()).contentType("application/json").body("{\"password\": \"n3w-pool-secret\"}").patch(path)
                .then().statusCode(200).body("password", equalTo("n3w-pool-secret"));
        given().auth().oauth2(caller.token()).get(path).then().body("password", equalTo("n3w-pool-secret"));
        String sealed = Arc.container().instance(Pool.class).get().preparedQuery("select password_sealed from pool_credentials where user_id = $1")
                .execute(Tuple.of(caller.id())).await().indefinitely().iterator().next().getString(0);
        assertFalse(sealed.contains("n3w-pool-secret"));

        // another user has their own
        Fixtures.Caller other = Fixtures.user();
        String theirs = given().auth().oauth2(other.token()).get(path).then().statusCode(200)
                .body("username", matchesPattern("^tg_[0-9a-f]{32}$")).extract().path("password");
        assertNotEquals("n3w-pool-secret", theirs);
        String readOnly = TestTokens.user(UUID.randomUUID(), Fixtures.TENANT).apiKey(UUID.randomUUID(), "proxy:read").sign();
        given().auth().oauth2(readOnly).contentType("application/json").body("{\"password\": \"n3w-pool-secret\"}").patch(path)
                .then().statusCode(403).body("code", equalTo("INSUFFICIENT_SCOPE"));
    }
}
