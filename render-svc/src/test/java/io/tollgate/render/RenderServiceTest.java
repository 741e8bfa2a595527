package io.tollgate.render;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.ServiceContractTest;

@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
class RenderServiceTest extends ServiceContractTest {

    @Override
    protected String service() {
        return "render-svc";
    }

    @Override
    protected String adminPrefix() {
        return "/v1/admin/render";
    }

    @Override
    protected java.util.List<String> consumers() {
        return java.util.List.of();
    }
}
