package io.tollgate.kit.testing;

import io.quarkus.arc.Arc;
import io.restassured.specification.RequestSpecification;
import io.tollgate.contracts.EventSchemas;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every service promises the platform, run against the service itself with the real
 * servers: health (with every dependency it needs), metrics, problem+json, request ids and a
 * public contract that does not break. A service's test extends this and names itself.
 */
public abstract class ServiceContractTest {

    protected abstract String service();

    /** The readiness checks this service must have; a service without a database overrides it. */
    protected List<String> requiredReadinessChecks() {
        return List.of("PostgreSQL", "Redis", "Kafka");
    }

    @Test
    void is_live_and_ready_with_its_real_dependencies() {
        Management.given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        List<String> checks = Management.given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP")).extract().jsonPath().getList("checks.name");
        for (String required : requiredReadinessChecks()) {
            assertTrue(checks.stream().anyMatch(c -> c.contains(required)),
                    service() + " readiness lacks a " + required + " check: " + checks);
        }
    }

    @Test
    void exposes_prometheus_metrics() {
        given().get("/v1/no-such-thing-here").then().statusCode(404);
        Management.given().get("/q/metrics").then().statusCode(200)
                .body(containsString("jvm_memory_used_bytes"))
                .body(containsString("http_server_requests"));
    }

    /**
     * How a path that could be read two ways is answered: a service refuses it (400); the gateway
     * resolves dot segments and answers for the path they lead to (404 for our internal paths).
     */
    protected Set<Integer> refusals() {
        return Set.of(400);
    }

    @Test
    void keeps_operations_endpoints_off_the_public_port() {
        for (String path : List.of("/q/health", "/q/health/ready", "/q/metrics", "/q/openapi")) {
            int status = given().get(path).statusCode();
            assertTrue(status == 404, service() + " answers " + path + " on its public port with " + status);
        }
    }

    @Test
    void refuses_paths_that_could_be_read_two_ways() {
        String base = "http://localhost:" + io.restassured.RestAssured.port;
        for (String path : List.of("/v1/x/../internal/tokens", "/v1/%2e%2e/internal", "/.well-known/../internal/tokens",
                "/v1/a%2Fb", "/v1/a%5Cb", "/v1/a%00b", "/v1/x;/../y", "/v1/./x", "/v1//x",
                "/v1/no-such-thing-here?name=a%00b")) {
            RawHttp.Answer answer = RawHttp.get(base, path);
            assertTrue(refusals().contains(answer.status()), service() + " routed " + path + ": " + answer.status() + " "
                    + answer.body());
            assertTrue(String.valueOf(answer.header("content-type")).startsWith("application/problem+json"),
                    path + ": " + answer.headers());
            assertTrue(answer.body().contains(answer.status() == 400 ? "\"INVALID_PATH\"" : "\"NOT_FOUND\""),
                    path + ": " + answer.body());
        }
    }

    @Test
    void answers_unknown_paths_with_a_problem_and_a_request_id() {
        given().header("X-Request-Id", "contract-check-1").get("/v1/no-such-thing-here")
                .then().statusCode(404).contentType("application/problem+json")
                .header("X-Request-Id", "contract-check-1")
                .body("code", equalTo("NOT_FOUND"))
                .body("request_id", equalTo("contract-check-1"));
    }

    /** The service's admin routes at the gateway, where its dead letters are listed; null for a service without a database. */
    protected String adminPrefix() {
        return null;
    }

    /** The Kafka consumers (inbox consumer names) the service runs. */
    protected List<String> consumers() {
        return List.of();
    }

    /** A platform administrator's token that this service accepts. */
    protected String adminToken() {
        return TestTokens.user(java.util.UUID.randomUUID(), java.util.UUID.randomUUID()).roles("admin").sign();
    }

    @Test
    void lists_its_consumers_in_readiness_and_its_dead_letters_to_platform_admins_only() {
        if (adminPrefix() == null) {
            return;
        }
        var ready = Management.given().get("/q/health/ready").then().statusCode(200).extract().jsonPath();
        assertEquals("UP", ready.getString("checks.find { it.name == 'consumers' }.status"), ready.prettify());
        for (String consumer : consumers()) {
            String state = ready.getString("checks.find { it.name == 'consumers' }.data.'" + consumer + "'");
            assertTrue(state != null && state.startsWith("UP"), service() + " readiness shows consumer " + consumer + " as " + state);
        }
        given().get(adminPrefix() + "/dead-letters").then().statusCode(401);
        given().auth().oauth2(adminToken()).get(adminPrefix() + "/dead-letters").then().statusCode(200)
                .body("meta.page_size", notNullValue());
        given().auth().oauth2(adminToken()).post(adminPrefix() + "/dead-letters/" + java.util.UUID.randomUUID() + "/replay")
                .then().statusCode(404);
    }

    /** Whether the service writes events (every service with a database has an outbox; the gateway has neither). */
    protected boolean hasOutbox() {
        return true;
    }

    @Test
    void every_event_it_has_written_matches_its_schema() {
        if (!hasOutbox()) {
            return;
        }
        Pool pool = Arc.container().instance(Pool.class).get();
        List<String> broken = new ArrayList<>();
        int checked = 0;
        // the latest rows of every type the service has written (in this run and earlier ones)
        for (Row row : pool.query("""
                        select type, payload::text as payload from (
                            select type, payload, row_number() over (partition by type order by created_at desc) as n from outbox) t
                        where n <= 20""").execute().await().indefinitely()) {
            checked++;
            List<String> violations = EventSchemas.violations(row.getString("type"),
                    row.getString("payload").getBytes(StandardCharsets.UTF_8));
            if (!violations.isEmpty()) {
                broken.add(row.getString("type") + ": " + violations);
            }
        }
        assertTrue(broken.isEmpty(), service() + " wrote " + broken.size() + " of " + checked + " events that break their schema:\n"
                + String.join("\n", broken));
    }

    /** Where the service's own OpenAPI is served: its management interface. */
    protected RequestSpecification openApi() {
        return Management.given().basePath("/q/openapi");
    }

    @Test
    void keeps_its_published_openapi_contract() {
        openApi().queryParam("format", "json").get().then().statusCode(200)
                .body("info.title", containsString(service())).body("openapi", notNullValue());
        OpenApiContract.assertCompatible(service(), openApi());
    }
}
