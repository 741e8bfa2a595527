package io.tollgate.billing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.contracts.render.JobCancelled;
import io.tollgate.contracts.render.JobCompleted;
import io.tollgate.contracts.render.JobFailed;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Render's job events, published as render-svc publishes them, settle the jobs' holds. */
@QuarkusTest
class RenderJobsTest {

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void a_completed_job_captures_its_cost_and_a_failed_or_cancelled_one_pays_nothing() throws Exception {
        Money.User user = Money.user(1_000);
        String completed = Money.hold(user, 300).then().statusCode(201).extract().path("id");
        String failed = Money.hold(user, 200).then().statusCode(201).extract().path("id");
        String cancelled = Money.hold(user, 100).then().statusCode(201).extract().path("id");
        assertEquals(400, Money.available(user));

        String doneId = publish(new JobCompleted(user.id(), Money.TENANT, "job_a", UUID.fromString(completed), 120, "USD",
                "flux-1", null, Instant.now()), null);
        publish(new JobCompleted(user.id(), Money.TENANT, "job_a", UUID.fromString(completed), 120, "USD", "flux-1",
                null, Instant.now()), doneId); // delivered twice
        publish(new JobFailed(user.id(), Money.TENANT, "job_b", UUID.fromString(failed), "provider error", "flux-1", Instant.now()), null);
        publish(new JobCancelled(user.id(), Money.TENANT, "job_c", UUID.fromString(cancelled), Instant.now()), null);

        awaitStatus(completed, "partially_captured");
        awaitStatus(failed, "voided");
        awaitStatus(cancelled, "voided");
        given().auth().oauth2(Money.RENDER).get("/internal/holds/" + completed).then().body("captured_minor",
                org.hamcrest.Matchers.equalTo(120));
        assertEquals(880, Money.available(user));
        assertEquals(0, Money.reserved(user));
        // the completed event named the model: usage counts the charge under it
        given().auth().oauth2(user.token()).get("/v1/billing/usage").then()
                .body("spend.find { it.product == 'render' }.model_id", org.hamcrest.Matchers.equalTo("flux-1"))
                .body("spend.find { it.product == 'render' }.amount_minor", org.hamcrest.Matchers.equalTo(120));
    }

    private static void awaitStatus(String hold, String status) throws InterruptedException {
        long started = System.nanoTime();
        while (!status.equals(given().auth().oauth2(Money.RENDER).get("/internal/holds/" + hold).path("status"))) {
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(60).toNanos(), "hold " + hold + " not " + status);
            Thread.sleep(200);
        }
    }

    private static String publish(Object payload, String id) throws Exception {
        return io.tollgate.kit.testing.Events.publish(payload, id, "job", "render-svc");
    }
}
