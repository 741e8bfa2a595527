package io.tollgate.billing;

import io.restassured.response.Response;
import io.tollgate.kit.testing.TestTokens;

import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Callers and money moves for billing tests. */
final class Money {

    static final UUID TENANT = UUID.fromString("00000000-0000-0000-0000-0000000000b1");
    static final String ADMIN = TestTokens.user(UUID.randomUUID(), TENANT).roles("admin").sign();
    static final String RENDER = TestTokens.service("render").sign();

    private Money() {
    }

    record User(UUID id, String token) {
    }

    /** A new user whose wallet is open (by reading its balance) and funded with {@code grant} (0: none). */
    static User user(long grant) {
        UUID id = UUID.randomUUID();
        User user = new User(id, TestTokens.user(id, TENANT).sign());
        given().auth().oauth2(user.token()).get("/v1/billing/balance").then().statusCode(200);
        if (grant > 0) {
            grant(id, grant).then().statusCode(201);
        }
        return user;
    }

    static Response grant(UUID userId, long amount) {
        return given().auth().oauth2(ADMIN).contentType("application/json")
                .body("{\"amount_minor\": " + amount + ", \"reason\": \"test credit\"}")
                .post("/v1/admin/billing/users/" + userId + "/credits/grant");
    }

    static Response clawback(UUID userId, long amount) {
        return given().auth().oauth2(ADMIN).contentType("application/json")
                .body("{\"amount_minor\": " + amount + ", \"reason\": \"test clawback\"}")
                .post("/v1/admin/billing/users/" + userId + "/credits/clawback");
    }

    static Response hold(User user, long amount) {
        return hold(user, amount, 900);
    }

    static Response hold(User user, long amount, int ttlSeconds) {
        return given().auth().oauth2(RENDER).contentType("application/json")
                .body("{\"user_id\": \"" + user.id() + "\", \"tenant_id\": \"" + TENANT + "\", \"amount_minor\": " + amount
                        + ", \"reference\": \"job_" + UUID.randomUUID() + "\", \"ttl_seconds\": " + ttlSeconds + "}")
                .post("/internal/holds");
    }

    static Response capture(String holdId, Long amount) {
        return given().auth().oauth2(RENDER).contentType("application/json")
                .body(amount == null ? "{}" : "{\"amount_minor\": " + amount + "}")
                .post("/internal/holds/" + holdId + "/capture");
    }

    static Response voidHold(String holdId) {
        return given().auth().oauth2(RENDER).post("/internal/holds/" + holdId + "/void");
    }

    static long available(User user) {
        return given().auth().oauth2(user.token()).get("/v1/billing/balance").then().statusCode(200)
                .extract().jsonPath().getLong("available_minor");
    }

    static long available(User user, String currency) {
        return given().auth().oauth2(user.token()).get("/v1/billing/balance?currency=" + currency).then().statusCode(200)
                .extract().jsonPath().getLong("available_minor");
    }

    static long reserved(User user) {
        return given().auth().oauth2(user.token()).get("/v1/billing/balance").then().statusCode(200)
                .extract().jsonPath().getLong("reserved_minor");
    }
}
