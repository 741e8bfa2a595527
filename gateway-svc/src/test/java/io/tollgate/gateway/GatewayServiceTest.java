package io.tollgate.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.tollgate.kit.testing.ServiceContractTest;

import java.util.List;
import java.util.Set;

import static io.restassured.RestAssured.given;

@QuarkusTest
@QuarkusTestResource(StandInUpstreams.class)
class GatewayServiceTest extends ServiceContractTest {

    @Override
    protected String service() {
        return "gateway-svc";
    }

    /** The gateway's own (pathless) document is public beside the others', at /v1/openapi/gateway. */
    @Override
    protected RequestSpecification openApi() {
        return given().basePath("/v1/openapi/gateway");
    }

    @Override
    protected boolean hasOutbox() {
        return false;
    }

    @Override
    protected Set<Integer> refusals() {
        return Set.of(400, 404);
    }

    @Override
    protected List<String> requiredReadinessChecks() {
        return List.of("Redis", "Kafka", "Identity keys and revocations");
    }
}
