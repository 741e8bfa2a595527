package io.tollgate.billing;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.ServiceContractTest;

@QuarkusTest
class BillingServiceTest extends ServiceContractTest {

    @Override
    protected String service() {
        return "billing-svc";
    }
}
