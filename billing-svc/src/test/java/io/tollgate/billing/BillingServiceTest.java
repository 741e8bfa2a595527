package io.tollgate.billing;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.ServiceContractTest;

@QuarkusTest
class BillingServiceTest extends ServiceContractTest {

    @Override
    protected String service() {
        return "billing-svc";
    }

    @Override
    protected String adminPrefix() {
        return "/v1/admin/billing";
    }

    @Override
    protected java.util.List<String> consumers() {
        return java.util.List.of("billing.wallets", "billing.render-jobs", "billing.traffic");
    }
}
