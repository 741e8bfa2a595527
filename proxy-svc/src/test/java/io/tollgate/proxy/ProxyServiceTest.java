package io.tollgate.proxy;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.ServiceContractTest;

@QuarkusTest
class ProxyServiceTest extends ServiceContractTest {

    @Override
    protected String service() {
        return "proxy-svc";
    }
}
