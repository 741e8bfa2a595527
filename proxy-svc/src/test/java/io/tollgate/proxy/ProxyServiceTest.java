package io.tollgate.proxy;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.ServiceContractTest;

@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class ProxyServiceTest extends ServiceContractTest {

    @Override
    protected String service() {
        return "proxy-svc";
    }

    @Override
    protected String adminPrefix() {
        return "/v1/admin/proxy";
    }

    @Override
    protected java.util.List<String> consumers() {
        return java.util.List.of("proxy.entitlements", "proxy.allowances");
    }
}
