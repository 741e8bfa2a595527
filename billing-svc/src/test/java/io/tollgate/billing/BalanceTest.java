package io.tollgate.billing;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.billing.CreditsGranted;
import io.tollgate.contracts.billing.WalletOpened;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.kit.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class BalanceTest {

    @Test
    void a_new_wallet_is_empty_and_announced() {
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "billing.events")) {
            Money.User user = Money.user(0);
            given().auth().oauth2(user.token()).get("/v1/billing/balance").then().statusCode(200)
                    .body("currency", equalTo("USD")).body("available_minor", equalTo(0)).body("reserved_minor", equalTo(0))
                    .body("wallets", hasSize(1));
            var event = probe.first(r -> WalletOpened.TYPE.equals(KafkaProbe.header(r, "ce_type"))
                    && new String(r.value()).contains(user.id().toString()), Duration.ofSeconds(20));
            EventSchemas.assertValid(WalletOpened.TYPE, event.value());
        }
    }

    @Test
    void grants_and_clawbacks_are_journalled_and_a_clawback_never_goes_below_zero() {
        Money.User user = Money.user(0);
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "billing.events")) {
            Money.grant(user.id(), 1_000).then().statusCode(201)
                    .body("transaction.type", equalTo("grant")).body("transaction.amount_minor", equalTo(1000))
                    .body("transaction.balance_after_minor", equalTo(1000)).body("available_minor", equalTo(1000));
            var event = probe.first(r -> CreditsGranted.TYPE.equals(KafkaProbe.header(r, "ce_type"))
                    && new String(r.value()).contains(user.id().toString()), Duration.ofSeconds(20));
            EventSchemas.assertValid(CreditsGranted.TYPE, event.value());
        }
        Money.clawback(user.id(), 300).then().statusCode(201).body("transaction.amount_minor", equalTo(-300))
                .body("transaction.balance_after_minor", equalTo(700));
        Money.clawback(user.id(), 701).then().statusCode(402).contentType("application/problem+json")
                .body("code", equalTo("INSUFFICIENT_BALANCE")).body("required", equalTo(701)).body("available", equalTo(700));
        assertEquals(700, Money.available(user));
        given().auth().oauth2(user.token()).get("/v1/billing/transactions").then().statusCode(200)
                .body("data.type", contains("clawback", "grant")).body("meta.total", equalTo(2));
        given().auth().oauth2(user.token()).get("/v1/billing/transactions?type=grant").then().statusCode(200)
                .body("data.type", contains("grant"));
    }

    @Test
    void bad_input_is_a_problem_and_changes_nothing() {
        Money.User user = Money.user(500);
        given().auth().oauth2(user.token()).get("/v1/billing/transactions?type=bribe").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("type"));
        given().auth().oauth2(user.token()).get("/v1/billing/balance?currency=dollars").then().statusCode(400)
                .body("errors[0].field", equalTo("currency"));
        given().auth().oauth2(Money.ADMIN).contentType("application/json").body("{\"amount_minor\": -5, \"reason\": \"x\"}")
                .post("/v1/admin/billing/users/" + user.id() + "/credits/grant").then().statusCode(400)
                .contentType("application/problem+json");
        given().auth().oauth2(Money.ADMIN).contentType("application/json").body("{\"amount_minor\": 5}")
                .post("/v1/admin/billing/users/" + user.id() + "/credits/grant").then().statusCode(400);
        Money.grant(UUID.randomUUID(), 5).then().statusCode(404).contentType("application/problem+json");
        assertEquals(500, Money.available(user));
    }

    @Test
    void only_admins_grant_and_keys_need_billing_read() {
        Money.User user = Money.user(0);
        given().auth().oauth2(user.token()).contentType("application/json").body("{\"amount_minor\": 5, \"reason\": \"me\"}")
                .post("/v1/admin/billing/users/" + user.id() + "/credits/grant").then().statusCode(403)
                .body("code", equalTo("ADMIN_ONLY"));
        String noScope = TestTokens.user(user.id(), Money.TENANT).apiKey(UUID.randomUUID(), "render:read").sign();
        given().auth().oauth2(noScope).get("/v1/billing/balance").then().statusCode(403).body("code", equalTo("INSUFFICIENT_SCOPE"));
        String withScope = TestTokens.user(user.id(), Money.TENANT).apiKey(UUID.randomUUID(), "billing:read").sign();
        given().auth().oauth2(withScope).get("/v1/billing/balance").then().statusCode(200);
        given().get("/v1/billing/balance").then().statusCode(401);
        assertEquals(0, Money.available(user));
    }
}
