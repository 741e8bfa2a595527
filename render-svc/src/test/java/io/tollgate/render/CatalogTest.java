package io.tollgate.render;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

/** The public catalogue and the estimate, computed as the charge is. */
@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
class CatalogTest {

    static final UUID TENANT = UUID.fromString("00000000-0000-0000-0000-0000000000c1");

    static String user() {
        return TestTokens.user(UUID.randomUUID(), TENANT).sign();
    }

    @Test
    void the_catalogue_is_public_filtered_sorted_and_paged() {
        given().get("/v1/models").then().statusCode(200).body("data.model_id", hasItem("local/procedural-image"))
                .body("meta.total", greaterThanOrEqualTo(3));
        given().get("/v1/models?category=text-to-image&tag=image,local&sort=price_asc&page_size=2").then().statusCode(200)
                .body("data.category", everyItem(equalTo("text-to-image"))).body("data.size()", equalTo(2))
                .body("meta.has_more", equalTo(true));
        given().get("/v1/models?search=cover").then().statusCode(200).body("data.model_id", hasItem("local/text-cover"))
                .body("meta.total", equalTo(1));
        given().get("/v1/models?search=" + "x".repeat(65)).then().statusCode(400).body("errors[0].field", equalTo("search"));
        given().get("/v1/models?sort=cheapest").then().statusCode(400).body("errors[0].field", equalTo("sort"));
    }

    @Test
    void a_model_is_found_by_its_slashed_id_with_its_input_schema() {
        given().get("/v1/models/local/procedural-image").then().statusCode(200)
                .body("model_id", equalTo("local/procedural-image")).body("price_unit", equalTo("images"))
                .body("input_schema.required", hasItem("prompt"));
        given().get("/v1/models/local/no-such-model").then().statusCode(404).contentType("application/problem+json")
                .body("code", equalTo("UNKNOWN_MODEL"));
    }

    @Test
    void an_estimate_prices_the_input_and_rounds_up_once() {
        // 2 images at 2.000000 minor units each
        given().auth().oauth2(user()).contentType("application/json").body("{\"prompt\": \"a fox\", \"num_images\": 2}")
                .post("/v1/models/local/procedural-image/estimate").then().statusCode(200)
                .body("estimated_cost_minor", equalTo(4)).body("currency", equalTo("USD")).body("quantity", equalTo(2))
                .body("breakdown", notNullValue());
        // 1000x1000 = 1 megapixel at 1.5 minor units, 10% off = 1.35, rounded up to 2
        given().auth().oauth2(user()).contentType("application/json")
                .body("{\"prompt\": \"a fox\", \"width\": 1000, \"height\": 1000}")
                .post("/v1/models/local/megapixel-image/estimate").then().statusCode(200).body("estimated_cost_minor", equalTo(2));
    }

    @Test
    void an_input_the_schema_refuses_is_422_with_its_fields() {
        given().auth().oauth2(user()).contentType("application/json").body("{\"num_images\": 9, \"colour\": \"red\"}")
                .post("/v1/models/local/procedural-image/estimate").then().statusCode(422).contentType("application/problem+json")
                .body("code", equalTo("INVALID_INPUT")).body("errors.field", hasItem("prompt"))
                .body("errors.field", hasItem("num_images"));
        given().auth().oauth2(user()).contentType("application/json").body("{\"prompt\": \"a\\u0000b\"}")
                .post("/v1/models/local/procedural-image/estimate").then().statusCode(400).body("errors[0].field", equalTo("prompt"));
        given().auth().oauth2(user()).contentType("application/json").body("{\"prompt\": \"" + "x".repeat(2001) + "\"}")
                .post("/v1/queue/local/procedural-image").then().statusCode(422).body("errors.field", hasItem("prompt"));
        given().auth().oauth2(user()).contentType("application/json").body("[1, 2]")
                .post("/v1/models/local/procedural-image/estimate").then().statusCode(400);
    }
}
