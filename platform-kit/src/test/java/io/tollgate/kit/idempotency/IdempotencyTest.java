package io.tollgate.kit.idempotency;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.kit.faults.Faults;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class IdempotencyTest {

    private final Faults faults;

    IdempotencyTest(Faults faults) {
        this.faults = faults;
    }

    private static String body(String name, long amount) {
        return "{\"name\": \"" + name + "\", \"amount_minor\": " + amount + "}";
    }

    private static Response post(String key, String body, int delayMs) {
        return given().log().ifValidationFails().contentType("application/json").header("Idempotency-Key", key).body(body)
                .post("/probe/records?delay_ms=" + delayMs);
    }

    private static long count(String name) {
        return given().get("/probe/records/count?name=" + name).then().statusCode(200)
                .extract().jsonPath().getLong("count");
    }

    @Test
    void the_same_key_and_body_replay_the_first_response_without_a_second_effect() {
        String name = "idem-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        Response first = post(key, body(name, 100), 0);
        first.then().statusCode(201);
        assertNull(first.getHeader("Idempotent-Replayed"));

        // Field order differs; the request is the same.
        Response second = given().contentType("application/json").header("Idempotency-Key", key)
                .body("{\"amount_minor\": 100, \"name\": \"" + name + "\"}").post("/probe/records");
        second.then().statusCode(201).header("Idempotent-Replayed", "true")
                .body("id", equalTo(first.path("id")));
        assertEquals(first.asString(), second.asString());
        assertEquals(1, count(name));
    }

    @Test
    void the_same_key_with_another_body_is_422_and_changes_nothing() {
        String name = "idem-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        post(key, body(name, 100), 0).then().statusCode(201);
        post(key, body(name, 999), 0).then().statusCode(422).contentType("application/problem+json")
                .body("code", equalTo("IDEMPOTENCY_KEY_REUSED"));
        assertEquals(1, count(name));
    }

    @Test
    void racing_requests_with_one_key_run_the_effect_once_and_the_rest_see_409() throws Exception {
        String name = "idem-race-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        int racers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Response>> results = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            Callable<Response> call = () -> {
                go.await();
                return post(key, body(name, 5), 1500);
            };
            results.add(pool.submit(call));
        }
        go.countDown();
        int created = 0;
        int inFlight = 0;
        for (Future<Response> result : results) {
            Response response = result.get();
            if (response.statusCode() == 201 && response.getHeader("Idempotent-Replayed") == null) {
                created++;
            } else if (response.statusCode() == 409) {
                assertEquals("IDEMPOTENCY_KEY_IN_FLIGHT", response.path("code"));
                inFlight++;
            }
        }
        pool.shutdown();
        assertEquals(1, created, "exactly one request ran");
        assertEquals(racers - 1, inFlight, "the others were told it is in flight");
        assertEquals(1, count(name));

        post(key, body(name, 5), 0).then().statusCode(201).header("Idempotent-Replayed", "true");
        assertEquals(1, count(name));
    }

    @Test
    void racing_requests_with_different_keys_all_run() throws Exception {
        String name = "idem-many-" + UUID.randomUUID();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            results.add(pool.submit(() -> post(UUID.randomUUID().toString(), body(name, 1), 200).statusCode()));
        }
        for (Future<Integer> result : results) {
            assertEquals(201, result.get());
        }
        pool.shutdown();
        assertEquals(6, count(name));
    }

    @Test
    void a_rejected_request_is_not_stored_so_a_corrected_retry_can_use_the_key() {
        String name = "idem-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        post(key, "{\"name\": \"\", \"amount_minor\": 1}", 0).then().statusCode(400);
        post(key, body(name, 1), 0).then().statusCode(201);
        assertEquals(1, count(name));
    }

    @Test
    void an_answer_that_cannot_be_stored_rolls_its_effect_back_and_frees_the_key() {
        String name = "idem-store-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        faults.failNext(Idempotency.FAULT_STORE, 1);
        try {
            post(key, body(name, 3), 0).then().statusCode(500);
        } finally {
            faults.disarm(Idempotency.FAULT_STORE);
        }
        assertEquals(0, count(name), "the effect rolled back with its answer");

        Response retry = post(key, body(name, 3), 0);
        retry.then().statusCode(201);
        assertNull(retry.getHeader("Idempotent-Replayed"), "the freed key runs the request");
        post(key, body(name, 3), 0).then().statusCode(201).header("Idempotent-Replayed", "true");
        assertEquals(1, count(name));
    }

    @Test
    void an_answer_lost_after_its_commit_is_replayed_and_the_effect_not_repeated() {
        String name = "idem-lost-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        faults.failNext(Idempotency.FAULT_AFTER_COMMIT, 1);
        try {
            post(key, body(name, 4), 0).then().statusCode(500);
        } finally {
            faults.disarm(Idempotency.FAULT_AFTER_COMMIT);
        }
        assertEquals(1, count(name), "the effect committed with its answer");

        post(key, body(name, 4), 0).then().statusCode(201).header("Idempotent-Replayed", "true");
        assertEquals(1, count(name), "the retry replays, it does not run again");
    }

    @Test
    void a_server_error_answered_after_the_effect_is_replayed_not_retried() {
        String name = "idem-5xx-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        given().contentType("application/json").header("Idempotency-Key", key).body(body(name, 5))
                .post("/probe/records?answer=503").then().statusCode(503);
        given().contentType("application/json").header("Idempotency-Key", key).body(body(name, 5))
                .post("/probe/records").then().statusCode(503).header("Idempotent-Replayed", "true");
        assertEquals(1, count(name));
    }

    private static Response staged(String key, String body, String fail) {
        return given().contentType("application/json").header("Idempotency-Key", key).body(body)
                .post("/probe/records/staged" + (fail == null ? "" : "?fail=" + fail));
    }

    @Test
    void a_staged_request_that_failed_after_its_first_effect_is_answered_again_not_run_again() {
        String name = "idem-staged-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        staged(key, body(name, 6), "between").then().statusCode(500);
        assertEquals(1, count(name));
        staged(key, body(name, 6), null).then().statusCode(500).header("Idempotent-Replayed", "true")
                .contentType("application/problem+json").body("code", equalTo("IDEMPOTENT_REQUEST_INCOMPLETE"));
        assertEquals(1, count(name), "the first effect is not repeated");

        // a refusal after an effect is the answer, as it was given
        String refused = "idem-refused-" + UUID.randomUUID();
        String other = UUID.randomUUID().toString();
        staged(other, body(refused, 6), "refuse").then().statusCode(402);
        staged(other, body(refused, 6), null).then().statusCode(402).header("Idempotent-Replayed", "true")
                .body("code", equalTo("INSUFFICIENT_BALANCE"));
        assertEquals(1, count(refused));
    }

    @Test
    void a_staged_request_that_failed_before_any_effect_frees_its_key() {
        String name = "idem-staged-free-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        staged(key, body(name, 7), "before").then().statusCode(500);
        assertEquals(0, count(name));
        Response retry = staged(key, body(name, 7), null);
        retry.then().statusCode(201);
        assertNull(retry.getHeader("Idempotent-Replayed"));
        staged(key, body(name, 7), null).then().statusCode(201).header("Idempotent-Replayed", "true")
                .body("id", equalTo(retry.path("id")));
        assertEquals(1, count(name));
    }

    @Test
    void a_malformed_key_is_refused() {
        String key = "x".repeat(300);
        post(key, body("idem-bad-key", 1), 0).then().statusCode(400).body("errors[0].field", equalTo("Idempotency-Key"));
        assertTrue(count("idem-bad-key") == 0);
    }
}
