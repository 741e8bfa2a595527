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
}
