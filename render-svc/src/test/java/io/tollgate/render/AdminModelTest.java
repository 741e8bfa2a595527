package io.tollgate.render;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

/** Administrators keep the catalogue: upsert with a checked pricing_config, hide, a remote model that renders, delete. */
@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
@QuarkusTestResource(RenderProviderSandbox.class)
class AdminModelTest {

    private static final String SCHEMA = "{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"prompt\"],"
            + " \"properties\": {\"prompt\": {\"type\": \"string\", \"maxLength\": 500},"
            + " \"num_images\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 4, \"default\": 1},"
            + " \"width\": {\"type\": \"integer\", \"minimum\": 64, \"maximum\": 512, \"default\": 64},"
            + " \"height\": {\"type\": \"integer\", \"minimum\": 64, \"maximum\": 512, \"default\": 64}}}";

    private static String admin() {
        return TestTokens.user(UUID.randomUUID(), CatalogTest.TENANT).roles("admin").sign();
    }

    private static String model(String id, String provider, String extra, String pricing, boolean visible) {
        return "{\"model_id\": \"" + id + "\", \"provider\": \"" + provider + "\"" + extra + ", \"display_name\": \"Admin test\","
                + " \"category\": \"text-to-image\", \"tags\": [\"image\", \"test\"], \"visible\": " + visible
                + ", \"pricing_config\": " + pricing + ", \"input_schema\": " + SCHEMA + "}";
    }

    private static String images(String price) {
        return "{\"version\": 1, \"currency\": \"USD\", \"pay_as_you_go\": {\"images\": {\"price\": " + price + "}}}";
    }

    @Test
    void a_model_is_created_priced_from_its_config_replaced_hidden_and_listed() {
        String admin = admin();
        String id = "local/admin-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(QueueTest.caller().token()).contentType("application/json")
                .body(model(id, "local", ", \"renderer\": \"procedural-image\"", images("0.05"), true))
                .post("/v1/admin/render/models").then().statusCode(403).body("code", equalTo("ADMIN_ONLY"));

        given().auth().oauth2(admin).contentType("application/json")
                .body(model(id, "local", ", \"renderer\": \"procedural-image\"", images("0.05"), true))
                .post("/v1/admin/render/models").then().statusCode(201).body("model_id", equalTo(id))
                .body("unit_price_micros", equalTo(5_000_000)).body("price_unit", equalTo("images"))
                .body("pricing_config.pay_as_you_go.images.price", equalTo(0.05f)).body("renderer", equalTo("procedural-image"));
        given().get("/v1/models/" + id).then().statusCode(200).body("display_name", equalTo("Admin test"));
        given().auth().oauth2(QueueTest.caller().token()).contentType("application/json").body("{\"prompt\": \"p\", \"num_images\": 3}")
                .post("/v1/models/" + id + "/estimate").then().statusCode(200).body("estimated_cost_minor", equalTo(15));

        given().auth().oauth2(admin).contentType("application/json")
                .body(model(id, "local", ", \"renderer\": \"procedural-image\"", images("0.075"), false))
                .post("/v1/admin/render/models").then().statusCode(200).body("visible", equalTo(false))
                .body("unit_price_micros", equalTo(7_500_000));
        given().get("/v1/models/" + id).then().statusCode(404).body("code", equalTo("UNKNOWN_MODEL"));
        given().auth().oauth2(admin).get("/v1/admin/render/models/" + id).then().statusCode(200).body("visible", equalTo(false));
        given().auth().oauth2(admin).get("/v1/admin/render/models?provider=local&page_size=100").then().statusCode(200)
                .body("data.model_id", hasItem(id));
    }

    @Test
    void a_bad_pricing_config_is_400_with_every_issue_and_changes_nothing() {
        String admin = admin();
        String id = "local/bad-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(admin).contentType("application/json")
                .body(model(id, "local", ", \"renderer\": \"procedural-image\"", "{\"version\": 2, \"currency\": \"usd\","
                        + " \"pay_as_you_go\": {\"images\": {\"price\": -1, \"discount\": 3}, \"parsecs\": {}}, \"bonus\": true}", true))
                .post("/v1/admin/render/models").then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("INVALID_PRICING_CONFIG"))
                .body("issues.path", hasItems("version", "currency", "pay_as_you_go", "pay_as_you_go.parsecs", "bonus"));
        given().auth().oauth2(admin).contentType("application/json")
                .body(model(id, "local", ", \"renderer\": \"procedural-image\"", images("0.0000000001"), true))
                .post("/v1/admin/render/models").then().statusCode(400)
                .body("issues[0].path", equalTo("pay_as_you_go.images.price"));
        given().auth().oauth2(admin).contentType("application/json")
                .body(model("Local/Upper", "local", ", \"renderer\": \"procedural-image\"", images("1"), true))
                .post("/v1/admin/render/models").then().statusCode(400).body("errors[0].field", equalTo("model_id"));
        given().auth().oauth2(admin).contentType("application/json")
                .body(model(id, "local", ", \"renderer\": \"no-such\"", images("1"), true))
                .post("/v1/admin/render/models").then().statusCode(400).body("errors[0].field", equalTo("renderer"));
        given().auth().oauth2(admin).contentType("application/json")
                .body(model(id, "nobody", "", images("1"), true))
                .post("/v1/admin/render/models").then().statusCode(400).body("errors[0].field", equalTo("provider"));
        given().auth().oauth2(admin).contentType("application/json")
                .body(model(id, "local", ", \"renderer\": \"procedural-image\"", images("1"), true).replace(SCHEMA, "[1]"))
                .post("/v1/admin/render/models").then().statusCode(400).body("errors[0].field", equalTo("input_schema"));
        given().auth().oauth2(admin).get("/v1/admin/render/models/" + id).then().statusCode(404);
    }

    @Test
    void a_remote_model_added_by_an_administrator_renders_at_its_provider_and_a_used_model_is_not_deleted() throws Exception {
        String admin = admin();
        String id = "sandbox/admin-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(admin).contentType("application/json")
                .body(model(id, "sandbox", ", \"provider_model\": \"tollgate-sandbox/fast-image\"", images("0.02"), true))
                .post("/v1/admin/render/models").then().statusCode(201).body("renderer", equalTo("fal-queue"))
                .body("provider_model", equalTo("tollgate-sandbox/fast-image"));
        QueueTest.Caller caller = QueueTest.caller();
        String request = QueueTest.submit(caller, id, "{\"prompt\": \"added remotely\", \"num_images\": 2}", null).then().statusCode(202)
                .body("estimated_cost_minor", equalTo(4)).extract().path("request_id");
        QueueTest.awaitStatus(caller, id, request, "COMPLETED");
        given().auth().oauth2(caller.token()).get("/v1/queue/" + id + "/requests/" + request).then().statusCode(200)
                .body("cost_minor", equalTo(4)).body("output.images.size()", equalTo(2));

        given().auth().oauth2(admin).contentType("application/json").body("{\"model_id\": \"" + id + "\"}")
                .delete("/v1/admin/render/models").then().statusCode(409).body("code", equalTo("MODEL_IN_USE"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"model_id\": \"sandbox/never-was\"}")
                .delete("/v1/admin/render/models").then().statusCode(404).body("code", equalTo("UNKNOWN_MODEL"));
        String unused = "local/unused-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(admin).contentType("application/json")
                .body(model(unused, "local", ", \"renderer\": \"text-cover\"", images("1"), false))
                .post("/v1/admin/render/models").then().statusCode(201);
        given().auth().oauth2(admin).contentType("application/json").body("{\"model_id\": \"" + unused + "\"}")
                .delete("/v1/admin/render/models").then().statusCode(204);
        given().auth().oauth2(admin).get("/v1/admin/render/models/" + unused).then().statusCode(404);
    }
}
