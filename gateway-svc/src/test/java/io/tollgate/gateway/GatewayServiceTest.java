package io.tollgate.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.ServiceContractTest;

import java.util.List;

@QuarkusTest
@QuarkusTestResource(StandInUpstreams.class)
class GatewayServiceTest extends ServiceContractTest {

    @Override
    protected String service() {
        return "gateway-svc";
    }

    @Override
    protected List<String> requiredReadinessChecks() {
        return List.of("Redis", "Kafka", "Identity keys and revocations");
    }
}
