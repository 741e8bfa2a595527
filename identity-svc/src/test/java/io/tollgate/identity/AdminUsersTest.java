package io.tollgate.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.identity.UserBanned;
import io.tollgate.identity.support.Accounts;
import io.tollgate.kit.testing.KafkaProbe;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
class AdminUsersTest {

    static String adminToken() {
        Accounts.register("root@tollgate.test"); // 201 the first time, 409 afterwards
        Response login = Accounts.login("root@tollgate.test", Accounts.PASSWORD);
        return login.then().statusCode(200).extract().path("access_token");
    }

    @Test
    void a_ban_ends_sessions_refuses_sign_in_and_stops_keys_until_unbanned() throws Exception {
        String admin = adminToken();
        Accounts.Account user = Accounts.signedIn();
        String secret = ApiKeysTest.create(user.accessToken(), "{\"name\": \"k\", \"scopes\": [\"proxy:read\"]}")
                .then().statusCode(201).extract().path("secret_key");

        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "identity.events")) {
            given().auth().oauth2(admin).contentType("application/json")
                    .body("{\"reason\": \"abuse\", \"unblock_date\": \"" + Instant.now().plusSeconds(86_400) + "\"}")
                    .post("/v1/admin/users/" + user.userId() + "/ban")
                    .then().statusCode(200).body("banned", equalTo(true)).body("ban_reason", equalTo("abuse"));
            var event = probe.first(r -> user.userId().equals(r.key()) && UserBanned.TYPE.equals(KafkaProbe.header(r, "ce_type")),
                    Duration.ofSeconds(20));
            EventSchemas.assertValid(UserBanned.TYPE, event.value());
        }
        given().contentType("application/json").body("{\"refresh_token\": \"" + user.refreshToken() + "\"}")
                .post("/v1/auth/refresh").then().statusCode(401);
        Accounts.login(user.email(), Accounts.PASSWORD).then().statusCode(403).body("code", equalTo("USER_BANNED"));
        ApiKeysTest.exchange(secret, "127.0.0.1").then().statusCode(403).body("code", equalTo("USER_BANNED"));

        given().auth().oauth2(admin).post("/v1/admin/users/" + user.userId() + "/unban").then().statusCode(200)
                .body("banned", equalTo(false));
        Accounts.login(user.email(), Accounts.PASSWORD).then().statusCode(200);
        ApiKeysTest.exchange(secret, "127.0.0.1").then().statusCode(200);
    }

    @Test
    void search_roles_and_the_limits_of_admin_power() {
        String admin = adminToken();
        Accounts.Account user = Accounts.signedIn();
        given().auth().oauth2(admin).get("/v1/admin/users?q=" + user.email().substring(0, 20)).then().statusCode(200)
                .body("meta.total", equalTo(1)).body("data[0].id", equalTo(user.userId()));
        given().auth().oauth2(user.accessToken()).get("/v1/admin/users").then().statusCode(403).body("code", equalTo("ADMIN_ONLY"));

        given().auth().oauth2(admin).contentType("application/json").body("{\"role\": \"tenant_admin\"}")
                .put("/v1/admin/users/" + user.userId() + "/role").then().statusCode(200).body("role", equalTo("tenant_admin"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"role\": \"god\"}")
                .put("/v1/admin/users/" + user.userId() + "/role").then().statusCode(400).body("errors[0].field", equalTo("role"));
        String rootId = given().auth().oauth2(admin).get("/v1/me").then().extract().path("id");
        given().auth().oauth2(admin).contentType("application/json").body("{\"role\": \"customer\"}")
                .put("/v1/admin/users/" + rootId + "/role").then().statusCode(403).body("code", equalTo("CANNOT_CHANGE_OWN_ROLE"));
        given().auth().oauth2(admin).get("/v1/admin/users/" + java.util.UUID.randomUUID()).then().statusCode(404);

        Accounts.login(user.email(), Accounts.PASSWORD).then().statusCode(200);
        given().auth().oauth2(admin).get("/v1/admin/users/" + user.userId() + "/sessions").then().statusCode(200)
                .body("size()", equalTo(2));
        given().auth().oauth2(admin).delete("/v1/admin/users/" + user.userId() + "/sessions").then().statusCode(200)
                .body("revoked_count", equalTo(2));
    }
}
