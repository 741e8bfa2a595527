package io.tollgate.render;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The activity log: every call on a request, what a submit cost or why it failed, refused submits, and one request's files. */
@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
@QuarkusTestResource(RenderProviderSandbox.class)
class ActivityTest {

    private static JsonNode activity(QueueTest.Caller caller, String query) throws Exception {
        return QueueTest.JSON.readTree(given().auth().oauth2(caller.token()).get("/v1/me/activity" + query).then().statusCode(200)
                .extract().asString());
    }

    @Test
    void a_completed_request_shows_its_submit_with_what_it_cost_every_call_on_it_and_its_files() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        String key = "activity-" + UUID.randomUUID();
        String body = "{\"prompt\": \"logged\", \"width\": 96, \"height\": 64, \"num_images\": 2}";
        String id = QueueTest.submit(caller, QueueTest.MODEL, body, key).then().statusCode(202).extract().path("request_id");
        QueueTest.submit(caller, QueueTest.MODEL, body, key).then().statusCode(202).header("Idempotent-Replayed", "true");
        QueueTest.awaitStatus(caller, QueueTest.MODEL, id, "COMPLETED");
        given().auth().oauth2(caller.token()).get("/v1/queue/" + QueueTest.MODEL + "/requests/" + id).then().statusCode(200);

        JsonNode submits = activity(caller, "?operation=submit");
        assertEquals(2, submits.path("meta").path("total").asInt(), submits.toString());
        long charged = 0;
        for (JsonNode row : submits.path("data")) {
            assertEquals(id, row.path("request_id").asText());
            assertEquals("success", row.path("status").asText());
            assertEquals(QueueTest.MODEL, row.path("model_id").asText());
            charged += row.path("credits_minor").asLong();
        }
        assertEquals(4, charged, "the replayed submit is listed and not counted twice");
        JsonNode results = activity(caller, "?operation=result");
        assertEquals(1, results.path("meta").path("total").asInt());
        assertTrue(activity(caller, "?operation=status").path("meta").path("total").asInt() >= 1);
        assertEquals(0, activity(caller, "?status=error").path("meta").path("total").asInt());

        JsonNode one = QueueTest.JSON.readTree(given().auth().oauth2(caller.token()).get("/v1/me/activity/" + id).then().statusCode(200)
                .extract().asString());
        assertEquals("submit", one.path("record").path("operation").asText());
        assertEquals(false, one.path("record").path("replayed").asBoolean());
        assertEquals(4, one.path("record").path("credits_minor").asInt());
        assertTrue(one.path("operations").findValuesAsText("operation").contains("result"), one.toString());
        assertEquals(2, one.path("assets").size());
        given().get(QueueTest.local(one.path("assets").get(0).path("url").asText())).then().statusCode(200).contentType("image/png");

        // someone else's request, and an id that is not one, are the same 404
        given().auth().oauth2(QueueTest.caller().token()).get("/v1/me/activity/" + id).then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(caller.token()).get("/v1/me/activity/not-an-id").then().statusCode(404);
        given().auth().oauth2(QueueTest.caller().token()).get("/v1/me/activity").then().statusCode(200).body("meta.total", equalTo(0));
    }

    @Test
    void a_request_the_provider_failed_shows_error_with_its_code_and_costs_nothing() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        String id = QueueTest.submit(caller, RemoteProviderTest.FAILING, "{\"prompt\": \"doomed\"}", null).then().statusCode(202)
                .extract().path("request_id");
        QueueTest.awaitStatus(caller, RemoteProviderTest.FAILING, id, "FAILED");
        given().auth().oauth2(caller.token()).get("/v1/me/activity?operation=submit&status=error").then().statusCode(200)
                .body("data", hasSize(1)).body("data[0].request_id", equalTo(id)).body("data[0].error_code", equalTo("internal_error"))
                .body("data[0].credits_minor", equalTo(0)).body("data[0].model_id", equalTo(RemoteProviderTest.FAILING));
    }

    @Test
    void a_refused_submit_is_logged_with_its_code_and_no_request() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        StandInBilling.BALANCES.put(caller.id(), 1L);
        QueueTest.submit(caller, QueueTest.MODEL, "{\"prompt\": \"unpaid\", \"width\": 64, \"height\": 64}", null).then().statusCode(402);
        QueueTest.submit(caller, "local/no-such-model", "{\"prompt\": \"x\"}", null).then().statusCode(404);
        JsonNode errors = activity(caller, "?status=error");
        assertEquals(2, errors.path("meta").path("total").asInt(), errors.toString());
        given().auth().oauth2(caller.token()).get("/v1/me/activity?status=error").then()
                .body("data.error_code", hasItem("INSUFFICIENT_BALANCE")).body("data.error_code", hasItem("UNKNOWN_MODEL"))
                .body("data[0].request_id", nullValue());
        given().auth().oauth2(caller.token()).get("/v1/jobs").then().statusCode(200).body("meta.total", equalTo(0));
    }

    @Test
    void calls_are_filtered_by_the_key_that_made_them_and_bad_filters_are_400() throws Exception {
        UUID user = UUID.randomUUID();
        UUID keyId = UUID.randomUUID();
        QueueTest.Caller session = new QueueTest.Caller(user, TestTokens.user(user, CatalogTest.TENANT).sign());
        QueueTest.Caller keyed = new QueueTest.Caller(user, TestTokens.user(user, CatalogTest.TENANT)
                .apiKey(keyId, "render:create", "render:read").sign());
        QueueTest.submit(session, QueueTest.MODEL, "{\"prompt\": \"by session\", \"width\": 64, \"height\": 64}", null).then()
                .statusCode(202);
        String byKey = QueueTest.submit(keyed, QueueTest.MODEL, "{\"prompt\": \"by key\", \"width\": 64, \"height\": 64}", null).then()
                .statusCode(202).extract().path("request_id");
        given().auth().oauth2(session.token()).get("/v1/me/activity?api_key_id=" + keyId).then().statusCode(200)
                .body("data", hasSize(1)).body("data[0].request_id", equalTo(byKey)).body("data[0].api_key_id", equalTo(keyId.toString()));
        given().auth().oauth2(session.token()).get("/v1/me/activity?model_id=" + QueueTest.MODEL).then().statusCode(200)
                .body("meta.total", equalTo(2));
        given().auth().oauth2(session.token()).get("/v1/me/activity?operation=delete").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("operation"));
        given().auth().oauth2(session.token()).get("/v1/me/activity?status=maybe").then().statusCode(400)
                .body("errors[0].field", equalTo("status"));
        given().auth().oauth2(session.token()).get("/v1/me/activity?api_key_id=nope").then().statusCode(400)
                .body("errors[0].field", equalTo("api_key_id"));
    }

    @Test
    void status_polls_are_written_once_per_interval_and_refusals_always() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        String id = QueueTest.submit(caller, QueueTest.MODEL, "{\"prompt\": \"polled\", \"width\": 64, \"height\": 64}", null).then()
                .statusCode(202).extract().path("request_id");
        for (int i = 0; i < 8; i++) {
            given().auth().oauth2(caller.token()).get("/v1/queue/" + QueueTest.MODEL + "/requests/" + id + "/status").then().statusCode(200);
        }
        assertEquals(1, activity(caller, "?operation=status").path("meta").path("total").asInt(), "eight polls within the interval, one row");
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(caller.token()).get("/v1/queue/other/model/requests/" + id + "/status").then().statusCode(404);
        }
        assertEquals(3, activity(caller, "?operation=status&status=error").path("meta").path("total").asInt());
    }
}
