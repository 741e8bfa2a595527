package io.tollgate.proxy;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

/** The public listings: countries, cities and carriers with free devices, availability and stock, cacheable for 30 s. */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class InventoryTest {

    @BeforeEach
    void fleet() {
        Fixtures.fleet();
    }

    @Test
    void countries_cities_and_carriers_are_listed_with_free_devices_and_cacheable() {
        given().get("/v1/proxy/countries").then().statusCode(200).header("Cache-Control", "max-age=30")
                .body("data.code", hasItems("US", "DE", "GB", "FR"))
                .body("data.find { it.code == 'US' }.iso3", equalTo("USA"))
                .body("data.find { it.code == 'US' }.id", equalTo("US"))
                .body("data.find { it.code == 'US' }.name", equalTo("United States"))
                .body("data.find { it.code == 'US' }.free_device_count", greaterThan(0));
        given().get("/v1/proxy/countries?is_private=true").then().statusCode(200).body("data.code", hasItem("DE"));
        given().get("/v1/proxy/countries?is_private=maybe").then().statusCode(400).body("code", equalTo("VALIDATION_ERROR"))
                .body("errors[0].field", equalTo("is_private"));

        List<String> cities = given().get("/v1/proxy/countries/US/cities").then().statusCode(200)
                .header("Cache-Control", "max-age=30").body("data.name", hasItems("New York", "Los Angeles"))
                .extract().jsonPath().getList("data.id");
        given().get("/v1/proxy/countries/US/carriers").then().statusCode(200).header("Cache-Control", "max-age=30")
                .body("data.name", hasItems("T-Mobile", "Verizon", "AT&T"))
                .body("data.find { it.name == 'T-Mobile' }.mcc", equalTo("310"))
                .body("data.find { it.name == 'T-Mobile' }.mnc", equalTo("260"))
                .body("data.free_device_count", everyItem(greaterThanOrEqualTo(0)));
        given().get("/v1/proxy/countries/US/carriers?city_id=" + cities.get(0)).then().statusCode(200)
                .body("data.size()", greaterThan(0));
        given().get("/v1/proxy/countries/US/carriers?city_id=nope").then().statusCode(400).body("errors[0].field", equalTo("city_id"));
        given().get("/v1/proxy/countries/ZZ/cities").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void availability_and_stock_count_the_fleet_by_country_and_carrier() {
        given().get("/v1/proxy/availability").then().statusCode(200).header("Cache-Control", "max-age=30")
                .body("countries.country", hasItems("US", "DE", "GB", "FR"))
                .body("countries.find { it.country == 'GB' }.carriers.carrier", hasItems("EE", "Three"))
                .body("total_devices", greaterThanOrEqualTo(36)).body("total_online", greaterThan(0));
        given().get("/v1/proxy/pool/availability").then().statusCode(200).header("Cache-Control", "max-age=30")
                .body("countries.FR.total", greaterThanOrEqualTo(9)).body("countries.FR.online", greaterThan(0))
                .body("total_devices", greaterThanOrEqualTo(36));
        given().get("/v1/proxy/pool/stock").then().statusCode(200).header("Cache-Control", "max-age=30")
                .body("countries.DE.shared_ports", greaterThan(0)).body("private_devices", greaterThanOrEqualTo(0))
                .body("updated_at", notNullValue());
    }
}
