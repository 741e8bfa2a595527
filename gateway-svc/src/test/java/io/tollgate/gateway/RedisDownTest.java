package io.tollgate.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * With Redis unreachable, authenticated traffic still flows (limits fail open) while sign-in and
 * sign-up, whose limits stop password guessing, fail closed.
 */
@QuarkusTest
@QuarkusTestResource(StandInUpstreams.class)
@TestProfile(RedisDownTest.NoRedis.class)
class RedisDownTest {

    public static class NoRedis implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:9");
        }
    }

    @Test
    void authenticated_routes_work_without_limits() {
        given().auth().oauth2(Callers.user()).get("/v1/billing/balance").then().statusCode(200)
                .header("RateLimit", nullValue());
    }

    @Test
    void auth_routes_fail_closed() {
        given().header("X-Forwarded-For", RateLimitTest.randomIp()).contentType("application/json").body("{}")
                .post("/v1/auth/login").then().statusCode(503).contentType("application/problem+json")
                .body("code", equalTo("RATE_LIMIT_UNAVAILABLE")).header("Retry-After", "1");
    }
}
