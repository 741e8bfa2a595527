package io.tollgate.render;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.contracts.render.JobCompleted;
import io.tollgate.contracts.render.JobFailed;
import io.tollgate.kit.testing.KafkaProbe;
import io.vertx.mutiny.sqlclient.Pool;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The synchronous run: a result within the wait, 202 TIMEOUT with the queue's URLs past it, 502 for a failed job. */
@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
class RunTest {

    private static final String BROKEN = "test/broken-renderer";

    private final Pool pool;

    RunTest(Pool pool) {
        this.pool = pool;
    }

    private static Response run(QueueTest.Caller caller, String model, String body, String prefer) {
        var request = given().auth().oauth2(caller.token()).contentType("application/json").body(body);
        if (prefer != null) {
            request.header("Prefer", prefer);
        }
        return request.post("/v1/run/" + model);
    }

    @Test
    void a_quick_job_answers_with_its_result() {
        QueueTest.Caller caller = QueueTest.caller();
        run(caller, QueueTest.MODEL, "{\"prompt\": \"at once\", \"width\": 96, \"height\": 64}", null).then().statusCode(200)
                .header("Preference-Applied", "wait=300").body("status", equalTo("COMPLETED"))
                .body("output.images", hasSize(1)).body("output.images[0].width", equalTo(96)).body("cost_minor", equalTo(2));
    }

    @Test
    void a_job_that_outlasts_the_wait_is_202_and_completes_in_the_queue_charged_once() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "render.events")) {
            Response timedOut = run(caller, QueueTest.MODEL, QueueTest.SLOW, "respond-async, wait=1");
            timedOut.then().statusCode(202).header("Preference-Applied", "wait=1").body("code", equalTo("TIMEOUT"))
                    .body("error", equalTo("timeout")).body("status_url", startsWith("http://"))
                    .header("Location", startsWith("http://"));
            String id = timedOut.path("request_id");
            QueueTest.awaitStatus(caller, QueueTest.MODEL, id, "COMPLETED");
            given().auth().oauth2(caller.token()).get("/v1/queue/" + QueueTest.MODEL + "/requests/" + id).then().statusCode(200)
                    .body("output.images", hasSize(2));
            List<String> ends = probe.collect(r -> id.equals(r.key()), Duration.ofSeconds(15), Duration.ofSeconds(2)).stream()
                    .map(r -> KafkaProbe.header(r, "ce_type")).filter(t -> t.equals(JobCompleted.TYPE) || t.equals(JobFailed.TYPE))
                    .toList();
            assertEquals(List.of(JobCompleted.TYPE), ends);
        }
    }

    @Test
    void a_failed_job_is_502_with_its_request_id() {
        pool.preparedQuery("""
                insert into models (model_id, display_name, category, lab, renderer, price_unit, unit_price_micros, input_schema, visible)
                values ($1, 'Broken', 'text-to-image', 'tests', 'no-such-renderer', 'flat', 1000000,
                        '{"type": "object", "properties": {"prompt": {"type": "string"}}}', true)
                on conflict (model_id) do nothing""").execute(io.vertx.mutiny.sqlclient.Tuple.of(BROKEN)).await().indefinitely();
        QueueTest.Caller caller = QueueTest.caller();
        Response failed = run(caller, BROKEN, "{\"prompt\": \"x\"}", "wait=60");
        failed.then().statusCode(502).contentType("application/problem+json").body("code", equalTo("RENDER_FAILED"));
        String id = failed.path("request_id");
        given().auth().oauth2(caller.token()).get("/v1/queue/" + BROKEN + "/requests/" + id + "/status").then().statusCode(200)
                .body("status", equalTo("FAILED")).body("error", startsWith("no renderer"));
    }

    @Test
    void a_prefer_wait_that_is_not_a_number_is_400_and_runs_nothing() {
        QueueTest.Caller caller = QueueTest.caller();
        run(caller, QueueTest.MODEL, "{\"prompt\": \"never\"}", "wait=soon").then().statusCode(400)
                .contentType("application/problem+json").body("code", equalTo("INVALID_PREFER"));
        given().auth().oauth2(caller.token()).get("/v1/jobs").then().statusCode(200).body("meta.total", equalTo(0));
    }

    @Test
    void an_input_the_schema_refuses_is_422_and_runs_nothing() {
        QueueTest.Caller caller = QueueTest.caller();
        run(caller, QueueTest.MODEL, "{\"prompt\": \"a cat\", \"width\": \"wide\"}", null).then().statusCode(422)
                .contentType("application/problem+json").body("code", equalTo("INVALID_INPUT"))
                .body("errors[0].field", equalTo("width"));
        run(caller, QueueTest.MODEL, "{\"prompt\": \"a\\u0000b\"}", null).then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("prompt"));
        given().auth().oauth2(caller.token()).get("/v1/jobs").then().statusCode(200).body("meta.total", equalTo(0));
    }
}
