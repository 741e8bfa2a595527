package io.tollgate.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.ServiceContractTest;

@QuarkusTest
class IdentityServiceTest extends ServiceContractTest {

    @Override
    protected String service() {
        return "identity-svc";
    }
}
