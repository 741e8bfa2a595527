package io.tollgate.kit;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.LocalServers;
import io.tollgate.kit.testing.Management;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Readiness follows the real servers: it goes DOWN when one is stopped and UP when it is back. */
@QuarkusTest
class HealthTest {

    @Test
    void liveness_metrics_and_openapi_answer() {
        Management.given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        Management.given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        Management.given().get("/q/openapi?format=json").then().statusCode(200).body("openapi", org.hamcrest.Matchers.startsWith("3."));
    }

    @Test
    void readiness_checks_database_redis_and_kafka() {
        List<String> names = Management.given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP")).extract().jsonPath().getList("checks.name");
        assertTrue(names.stream().anyMatch(n -> n.contains("PostgreSQL") || n.contains("Database")), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.contains("Redis")), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.contains("Kafka")), names.toString());
    }

    @Test
    void readiness_goes_down_without_redis_and_up_again() {
        cycle("redis", "Redis");
    }

    @Test
    void readiness_goes_down_without_postgresql_and_up_again() {
        cycle("postgres", "PostgreSQL");
    }

    private static void cycle(String server, String checkName) {
        LocalServers.stop(server);
        try {
            awaitStatus(503);
            List<Map<String, Object>> checks = Management.given().get("/q/health/ready").then().extract().jsonPath().getList("checks");
            assertTrue(checks.stream().anyMatch(c -> String.valueOf(c.get("name")).contains(checkName)
                    && "DOWN".equals(c.get("status"))), checks.toString());
        } finally {
            LocalServers.start(server);
        }
        awaitStatus(200);
    }

    private static void awaitStatus(int status) {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int seen = -1;
        while (System.nanoTime() < end) {
            seen = Management.given().get("/q/health/ready").statusCode();
            if (seen == status) {
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        assertEquals(status, seen, "readiness did not reach " + status);
    }
}
