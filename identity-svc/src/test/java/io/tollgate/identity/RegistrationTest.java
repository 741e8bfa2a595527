package io.tollgate.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.identity.UserRegistered;
import io.tollgate.identity.support.Accounts;
import io.tollgate.kit.testing.KafkaProbe;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class RegistrationTest {

    @Test
    void registering_creates_the_user_and_announces_it_once() {
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "identity.events")) {
            String email = Accounts.newEmail();
            String userId = Accounts.register(email).then().statusCode(201)
                    .body("user_id", notNullValue())
                    .body("verification_required", equalTo(true))
                    .extract().path("user_id");

            ConsumerRecord<String, byte[]> event = probe.first(r -> userId.equals(r.key())
                    && UserRegistered.TYPE.equals(KafkaProbe.header(r, "ce_type")), Duration.ofSeconds(20));
            EventSchemas.assertValid(UserRegistered.TYPE, event.value());
            assertEquals("users/" + userId, KafkaProbe.header(event, "ce_subject"));
        }
    }

    @Test
    void the_same_email_twice_is_409_whatever_its_case() {
        String email = Accounts.newEmail();
        Accounts.register(email).then().statusCode(201);
        Accounts.register(email.toUpperCase()).then().statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("EMAIL_TAKEN"));
    }

    @Test
    void racing_registrations_of_one_email_create_one_account() throws Exception {
        String email = Accounts.newEmail();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            results.add(pool.submit(() -> {
                go.await();
                return Accounts.register(email).statusCode();
            }));
        }
        go.countDown();
        int created = 0;
        int conflicts = 0;
        for (Future<Integer> result : results) {
            int status = result.get();
            if (status == 201) {
                created++;
            } else if (status == 409) {
                conflicts++;
            }
        }
        pool.shutdown();
        assertEquals(1, created);
        assertEquals(5, conflicts);
    }

    @Test
    void invalid_input_is_refused_field_by_field_and_creates_nothing() {
        given().contentType("application/json")
                .body("{\"email\": \"not-an-email\", \"password\": \"x\", \"full_name\": \"\", \"accept_terms\": false}")
                .post("/v1/auth/register")
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("VALIDATION_ERROR"))
                .body("errors.field", hasItems("email", "full_name", "accept_terms"));

        String email = Accounts.newEmail();
        given().contentType("application/json")
                .body("{\"email\": \"" + email + "\", \"password\": \"alllowercase1\", \"full_name\": \"A\", \"accept_terms\": true}")
                .post("/v1/auth/register")
                .then().statusCode(400).body("errors[0].field", equalTo("password"));
        Accounts.login(email, "alllowercase1").then().statusCode(401);

        given().contentType("application/json")
                .body("{\"tenant_slug\": \"no-such-tenant\", \"email\": \"" + Accounts.newEmail()
                        + "\", \"password\": \"Good-Pass-1\", \"full_name\": \"A\", \"accept_terms\": true}")
                .post("/v1/auth/register")
                .then().statusCode(400).body("errors[0].field", equalTo("tenant_slug"));
    }
}
