package io.tollgate.kit.paging;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

@QuarkusTest
class PagingTest {

    @Test
    void defaults_to_the_first_page_of_twenty() {
        given().get("/probe/numbers").then().statusCode(200)
                .body("data", hasSize(20))
                .body("data[0]", equalTo(1))
                .body("meta.page", equalTo(1))
                .body("meta.page_size", equalTo(20))
                .body("meta.total", equalTo(250))
                .body("meta.has_more", equalTo(true));
    }

    @Test
    void page_size_is_capped_at_one_hundred() {
        given().get("/probe/numbers?page_size=1000").then().statusCode(200)
                .body("data", hasSize(100))
                .body("meta.page_size", equalTo(100));
    }

    @Test
    void the_last_page_says_there_is_no_more() {
        given().get("/probe/numbers?page=3&page_size=100").then().statusCode(200)
                .body("data", hasSize(50))
                .body("data[0]", equalTo(201))
                .body("meta.has_more", equalTo(false));
        given().get("/probe/numbers?page=9&page_size=100").then().statusCode(200)
                .body("data", hasSize(0))
                .body("meta.has_more", equalTo(false));
    }
}
