package io.tollgate.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.identity.EmailVerified;
import io.tollgate.contracts.identity.PasswordResetRequested;
import io.tollgate.contracts.identity.VerificationRequested;
import io.tollgate.identity.support.Accounts;
import io.tollgate.kit.crypto.EventSeal;
import io.tollgate.kit.testing.KafkaProbe;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The mails' secrets are read from the events notification-svc consumes, as a mail reader would. */
@QuarkusTest
class AccountRecoveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode event(KafkaProbe probe, String userId, String type) throws Exception {
        ConsumerRecord<String, byte[]> record = probe.first(r -> userId.equals(r.key()) && type.equals(KafkaProbe.header(r, "ce_type")),
                Duration.ofSeconds(20));
        EventSchemas.assertValid(type, record.value());
        return JSON.readTree(record.value());
    }

    /** The mail's secrets as notification-svc reads them; the event itself carries none in clear. */
    static JsonNode secrets(JsonNode event, String type) throws Exception {
        assertFalse(event.has("token") || event.has("code"), "a secret in clear: " + event);
        String opened = new EventSeal(Optional.of(EventSeal.DEVELOPMENT_KEY))
                .open(event.get("sealed").asText(), type, "users/" + event.get("user_id").asText());
        return JSON.readTree(opened);
    }

    private static String post(String path, String body, int status) {
        return given().contentType("application/json").body(body).post(path).then().statusCode(status).extract().asString();
    }

    @Test
    void the_link_token_verifies_once_and_the_token_then_says_so() throws Exception {
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "identity.events")) {
            String email = Accounts.newEmail();
            String userId = Accounts.register(email).then().statusCode(201).extract().path("user_id");
            String token = secrets(event(probe, userId, VerificationRequested.TYPE), VerificationRequested.TYPE).get("token").asText();

            given().contentType("application/json").body("{\"token\": \"" + token + "\"}").post("/v1/auth/verify/email")
                    .then().statusCode(200).body("email_verified", equalTo(true));
            event(probe, userId, EmailVerified.TYPE);
            given().contentType("application/json").body("{\"token\": \"" + token + "\"}").post("/v1/auth/verify/email")
                    .then().statusCode(400).body("code", equalTo("INVALID_TOKEN"));

            String access = Accounts.login(email, Accounts.PASSWORD).then().statusCode(200).extract().path("access_token");
            assertEquals(Boolean.TRUE, LoginTest.verifyWithJwks(access).getClaimValue("email_verified"));
        }
    }

    @Test
    void the_six_digit_code_verifies_and_five_wrong_codes_void_it() throws Exception {
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "identity.events")) {
            String email = Accounts.newEmail();
            String userId = Accounts.register(email).then().statusCode(201).extract().path("user_id");
            String code = secrets(event(probe, userId, VerificationRequested.TYPE), VerificationRequested.TYPE).get("code").asText();
            String wrong = code.equals("000000") ? "111111" : "000000";
            for (int i = 0; i < 5; i++) {
                given().contentType("application/json").body("{\"email\": \"" + email + "\", \"code\": \"" + wrong + "\"}")
                        .post("/v1/auth/verify/email").then().statusCode(400).body("code", equalTo("INVALID_CODE"));
            }
            given().contentType("application/json").body("{\"email\": \"" + email + "\", \"code\": \"" + code + "\"}")
                    .post("/v1/auth/verify/email").then().statusCode(400);

            // A resend issues a new code that works; a second resend within the minute sends nothing.
            post("/v1/auth/verify/resend", "{\"email\": \"" + email + "\"}", 202);
            post("/v1/auth/verify/resend", "{\"email\": \"" + email + "\"}", 202);
            List<ConsumerRecord<String, byte[]>> requests = probe.collect(r -> userId.equals(r.key())
                    && VerificationRequested.TYPE.equals(KafkaProbe.header(r, "ce_type")), Duration.ofSeconds(15), Duration.ofSeconds(3));
            assertEquals(1, requests.size(), "one resend within the minute");
            String fresh = secrets(JSON.readTree(requests.getFirst().value()), VerificationRequested.TYPE).get("code").asText();
            given().contentType("application/json").body("{\"email\": \"" + email + "\", \"code\": \"" + fresh + "\"}")
                    .post("/v1/auth/verify/email").then().statusCode(200);
        }
    }

    @Test
    void a_reset_is_always_accepted_single_use_and_ends_every_session() throws Exception {
        post("/v1/auth/password/reset/request", "{\"email\": \"" + Accounts.newEmail() + "\"}", 202);
        Accounts.Account account = Accounts.signedIn();
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "identity.events")) {
            post("/v1/auth/password/reset/request", "{\"email\": \"" + account.email() + "\"}", 202);
            String token = secrets(event(probe, account.userId(), PasswordResetRequested.TYPE), PasswordResetRequested.TYPE).get("token").asText();

            given().contentType("application/json").body("{\"token\": \"" + token + "\", \"new_password\": \"weak\"}")
                    .post("/v1/auth/password/reset/confirm").then().statusCode(400).body("errors[0].field", equalTo("new_password"));
            post("/v1/auth/password/reset/confirm", "{\"token\": \"" + token + "\", \"new_password\": \"Brand-New-Pass-9\"}", 204);
            given().contentType("application/json").body("{\"token\": \"" + token + "\", \"new_password\": \"Other-Pass-9\"}")
                    .post("/v1/auth/password/reset/confirm").then().statusCode(400).body("code", equalTo("INVALID_TOKEN"));
        }
        given().contentType("application/json").body("{\"refresh_token\": \"" + account.refreshToken() + "\"}")
                .post("/v1/auth/refresh").then().statusCode(401);
        Accounts.login(account.email(), Accounts.PASSWORD).then().statusCode(401);
        Accounts.login(account.email(), "Brand-New-Pass-9").then().statusCode(200);
    }

    @Test
    void changing_the_password_needs_the_current_one_and_keeps_this_session_only() {
        Accounts.Account account = Accounts.signedIn();
        String other = Accounts.login(account.email(), Accounts.PASSWORD).then().statusCode(200).extract().path("refresh_token");
        given().auth().oauth2(account.accessToken()).contentType("application/json")
                .body("{\"current_password\": \"Not-It-1\", \"new_password\": \"Changed-Pass-1\"}").post("/v1/auth/password/change")
                .then().statusCode(400).body("code", equalTo("INVALID_CURRENT_PASSWORD"));
        given().auth().oauth2(account.accessToken()).contentType("application/json")
                .body("{\"current_password\": \"" + Accounts.PASSWORD + "\", \"new_password\": \"Changed-Pass-1\"}")
                .post("/v1/auth/password/change").then().statusCode(204);
        given().contentType("application/json").body("{\"refresh_token\": \"" + other + "\"}").post("/v1/auth/refresh")
                .then().statusCode(401);
        given().contentType("application/json").body("{\"refresh_token\": \"" + account.refreshToken() + "\"}")
                .post("/v1/auth/refresh").then().statusCode(200);
        Accounts.login(account.email(), "Changed-Pass-1").then().statusCode(200);
    }
}
