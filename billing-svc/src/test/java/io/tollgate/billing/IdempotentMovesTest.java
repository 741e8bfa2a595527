package io.tollgate.billing;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.billing.wallets.Credits;
import io.tollgate.kit.faults.Faults;
import io.tollgate.kit.idempotency.Idempotency;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A money move under an Idempotency-Key happens once, whatever step after it fails: its answer is
 * stored in the move's own transaction, so either both commit (a retry replays the answer) or
 * neither does (a retry moves the money, once).
 */
@QuarkusTest
class IdempotentMovesTest {

    private final Faults faults;

    IdempotentMovesTest(Faults faults) {
        this.faults = faults;
    }

    private static Response grant(UUID userId, String key, long amount) {
        return given().auth().oauth2(Money.ADMIN).contentType("application/json").header("Idempotency-Key", key)
                .body("{\"amount_minor\": " + amount + ", \"reason\": \"idempotent grant\"}")
                .post("/v1/admin/billing/users/" + userId + "/credits/grant");
    }

    private static long grants(Money.User user) {
        return given().auth().oauth2(user.token()).get("/v1/billing/transactions?type=grant").then().statusCode(200)
                .extract().jsonPath().getLong("meta.total");
    }

    @Test
    void a_grant_whose_answer_cannot_be_read_is_not_repeated_on_retry() {
        Money.User user = Money.user(0);
        String key = UUID.randomUUID().toString();
        faults.failNext(Credits.FAULT_ANSWER, 1);
        try {
            grant(user.id(), key, 250).then().statusCode(500).contentType("application/problem+json");
        } finally {
            faults.disarm(Credits.FAULT_ANSWER);
        }
        Response retry = grant(user.id(), key, 250);
        retry.then().statusCode(201).body("available_minor", equalTo(250));
        grant(user.id(), key, 250).then().statusCode(201).header("Idempotent-Replayed", "true")
                .body("transaction.id", equalTo(retry.path("transaction.id")));
        assertEquals(250, Money.available(user), "the money moved once");
        assertEquals(1, grants(user));
    }

    @Test
    void a_grant_whose_answer_cannot_be_stored_is_not_repeated_on_retry() {
        Money.User user = Money.user(0);
        String key = UUID.randomUUID().toString();
        faults.failNext(Idempotency.FAULT_STORE, 1);
        try {
            grant(user.id(), key, 40).then().statusCode(500);
        } finally {
            faults.disarm(Idempotency.FAULT_STORE);
        }
        assertEquals(0, Money.available(user), "the grant rolled back with its answer");
        Response retry = grant(user.id(), key, 40);
        retry.then().statusCode(201);
        assertNull(retry.getHeader("Idempotent-Replayed"));
        assertEquals(40, Money.available(user));
        assertEquals(1, grants(user));
    }

    @Test
    void a_grant_whose_answer_was_lost_after_its_commit_is_replayed() {
        Money.User user = Money.user(0);
        String key = UUID.randomUUID().toString();
        faults.failNext(Idempotency.FAULT_AFTER_COMMIT, 1);
        try {
            grant(user.id(), key, 75).then().statusCode(500);
        } finally {
            faults.disarm(Idempotency.FAULT_AFTER_COMMIT);
        }
        assertEquals(75, Money.available(user), "the grant committed");
        grant(user.id(), key, 75).then().statusCode(201).header("Idempotent-Replayed", "true")
                .body("available_minor", equalTo(75));
        assertEquals(75, Money.available(user), "and was not repeated");
        assertEquals(1, grants(user));
    }

    @Test
    void a_refused_clawback_frees_its_key_for_a_corrected_retry() {
        Money.User user = Money.user(100);
        String key = UUID.randomUUID().toString();
        String body = "{\"amount_minor\": 60, \"reason\": \"idempotent clawback\"}";
        given().auth().oauth2(Money.ADMIN).contentType("application/json").header("Idempotency-Key", key).body(body)
                .post("/v1/admin/billing/users/" + user.id() + "/credits/clawback").then().statusCode(201);
        given().auth().oauth2(Money.ADMIN).contentType("application/json").header("Idempotency-Key", key).body(body)
                .post("/v1/admin/billing/users/" + user.id() + "/credits/clawback").then().statusCode(201)
                .header("Idempotent-Replayed", "true");
        assertEquals(40, Money.available(user));

        String refused = UUID.randomUUID().toString();
        given().auth().oauth2(Money.ADMIN).contentType("application/json").header("Idempotency-Key", refused).body(body)
                .post("/v1/admin/billing/users/" + user.id() + "/credits/clawback").then().statusCode(402);
        Money.grant(user.id(), 100).then().statusCode(201);
        given().auth().oauth2(Money.ADMIN).contentType("application/json").header("Idempotency-Key", refused).body(body)
                .post("/v1/admin/billing/users/" + user.id() + "/credits/clawback").then().statusCode(201);
        assertEquals(80, Money.available(user));
    }

    @Test
    void a_promo_code_created_under_an_idempotency_key_is_replayed_not_refused_as_taken() {
        String code = "IDEM" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        String body = "{\"code\": \"" + code + "\", \"kind\": \"fixed\", \"value\": 100, \"currency\": \"USD\"}";
        String key = UUID.randomUUID().toString();
        String id = given().auth().oauth2(Money.ADMIN).contentType("application/json").header("Idempotency-Key", key).body(body)
                .post("/v1/admin/billing/promo-codes").then().statusCode(201).extract().path("id");
        given().auth().oauth2(Money.ADMIN).contentType("application/json").header("Idempotency-Key", key).body(body)
                .post("/v1/admin/billing/promo-codes").then().statusCode(201).header("Idempotent-Replayed", "true")
                .body("id", equalTo(id));
        given().auth().oauth2(Money.ADMIN).contentType("application/json").body(body)
                .post("/v1/admin/billing/promo-codes").then().statusCode(409).body("code", equalTo("PROMO_CODE_TAKEN"));
    }
}
