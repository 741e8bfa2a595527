package io.tollgate.render;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tollgate.kit.testing.TestTokens;
import io.tollgate.sandbox.RenderQueueSandbox;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An administrator syncs a provider's catalogue (the sandbox lists its models two a page, fal's
 * platform API shape, with OpenAPI documents and prices): new models arrive hidden at the
 * provider's price with the input schema read from the OpenAPI (references inlined), an unrated
 * price unit is skipped with its reason, a deprecated model is not taken, a second sync adds
 * nothing, and a schema changed at the provider is brought in.
 */
@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
@QuarkusTestResource(RenderProviderSandbox.class)
class CatalogSyncTest {

    private static String admin() {
        return TestTokens.user(UUID.randomUUID(), CatalogTest.TENANT).roles("admin").sign();
    }

    private static String provider(String admin, String name, boolean catalogue) {
        String base = RenderProviderSandbox.running.baseUrl() + "/fal";
        return given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\": \"" + name + "\", \"type\": \"fal\", \"base_url\": \"" + base + "\", \"api_key\": \""
                        + RenderQueueSandbox.API_KEY + "\"" + (catalogue ? ", \"catalog_url\": \"" + base + "/v1/\"" : "") + "}")
                .post("/v1/admin/render/providers").then().statusCode(201).extract().path("id");
    }

    @Test
    void a_sync_adds_new_models_hidden_at_the_providers_price_and_brings_in_changed_schemas() throws Exception {
        String admin = admin();
        String name = "catalog-" + UUID.randomUUID().toString().substring(0, 8);
        String id = provider(admin, name, true);
        given().auth().oauth2(admin).get("/v1/admin/render/providers/" + id).then().body("catalog_url",
                equalTo(RenderProviderSandbox.running.baseUrl() + "/fal/v1"));

        JsonPath first = given().auth().oauth2(admin).post("/v1/admin/render/providers/" + id + "/sync-catalog").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(4, first.getInt("total"), "four active models listed over two pages; the deprecated one is not taken");
        assertEquals(3, first.getInt("added"));
        assertEquals(0, first.getInt("updated"));
        assertEquals(1, first.getInt("skipped"));
        assertEquals(RenderQueueSandbox.VOICE, first.getString("skipped_models[0].endpoint_id"));
        assertTrue(first.getString("skipped_models[0].reason").contains("1k_characters"), first.prettify());
        assertTrue(first.getLong("elapsed_ms") >= 0);

        String square = name + "/" + RenderQueueSandbox.SQUARE;
        JsonPath model = given().auth().oauth2(admin).get("/v1/admin/render/models?provider=" + name + "&page_size=50").then()
                .statusCode(200).extract().jsonPath();
        assertEquals(3, model.getList("data").size());
        given().auth().oauth2(admin).get("/v1/admin/render/models?provider=" + name).then()
                .body("data.find { it.model_id == '" + square + "' }.visible", equalTo(false))
                .body("data.find { it.model_id == '" + square + "' }.price_unit", equalTo("megapixels"))
                .body("data.find { it.model_id == '" + square + "' }.provider_model", equalTo(RenderQueueSandbox.SQUARE))
                .body("data.find { it.model_id == '" + square + "' }.input_schema.properties.width.maximum", equalTo(1024))
                .body("data.find { it.model_id == '" + square + "' }.input_schema.properties.prompt.maxLength", equalTo(1000))
                .body("data.find { it.model_id == '" + square + "' }.input_schema.properties.prompt['x-fal-order']", equalTo(null))
                .body("data.find { it.model_id == '" + square + "' }.input_schema.properties.width.nullable", equalTo(null));
        // hidden: customers do not see it until an administrator shows it
        given().get("/v1/models/" + square).then().statusCode(404).body("code", equalTo("UNKNOWN_MODEL"));
        given().get("/v1/models?page_size=100").then().body("data.model_id", not(hasItem(square)));

        // nothing new the second time
        given().auth().oauth2(admin).post("/v1/admin/render/providers/" + id + "/sync-catalog").then().statusCode(200)
                .body("added", equalTo(0)).body("updated", equalTo(0)).body("total", equalTo(4));

        // the provider changes a schema: the next sync brings it in
        RenderProviderSandbox.queue().revisePromptLimit(RenderQueueSandbox.SQUARE, 12);
        try {
            given().auth().oauth2(admin).post("/v1/admin/render/providers/" + id + "/sync-catalog").then().statusCode(200)
                    .body("added", equalTo(0)).body("updated", equalTo(1));
            given().auth().oauth2(admin).get("/v1/admin/render/models?provider=" + name).then()
                    .body("data.find { it.model_id == '" + square + "' }.input_schema.properties.prompt.maxLength", equalTo(12));
        } finally {
            RenderProviderSandbox.queue().revisePromptLimit(RenderQueueSandbox.SQUARE, 1000);
        }
    }

    @Test
    void a_provider_without_a_catalogue_or_an_unreachable_one_is_a_clear_problem_and_changes_nothing() {
        String admin = admin();
        String name = "nocat-" + UUID.randomUUID().toString().substring(0, 8);
        String id = provider(admin, name, false);
        given().auth().oauth2(admin).post("/v1/admin/render/providers/" + id + "/sync-catalog").then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("CATALOG_NOT_CONFIGURED"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"catalog_url\": \"http://127.0.0.1:1/v1\"}")
                .patch("/v1/admin/render/providers/" + id).then().statusCode(200);
        given().auth().oauth2(admin).post("/v1/admin/render/providers/" + id + "/sync-catalog").then().statusCode(502)
                .contentType("application/problem+json").body("code", equalTo("PROVIDER_CATALOG_UNAVAILABLE"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"catalog_url\": \"not a url\"}")
                .patch("/v1/admin/render/providers/" + id).then().statusCode(400).body("errors[0].field", equalTo("catalog_url"));
        given().auth().oauth2(admin).get("/v1/admin/render/models?provider=" + name).then().statusCode(200)
                .body("data.size()", equalTo(0));
        given().auth().oauth2(QueueTest.caller().token()).post("/v1/admin/render/providers/" + id + "/sync-catalog").then()
                .statusCode(403);
        given().auth().oauth2(admin).post("/v1/admin/render/providers/" + UUID.randomUUID() + "/sync-catalog").then().statusCode(404)
                .body("detail", containsString("provider"));
    }
}
