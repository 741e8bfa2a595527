package io.tollgate.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.ServiceContractTest;

@QuarkusTest
class IdentityServiceTest extends ServiceContractTest {

    @Override
    protected String service() {
        return "identity-svc";
    }

    @Override
    protected String adminPrefix() {
        return "/v1/admin/identity";
    }

    @Override
    protected java.util.List<String> consumers() {
        return java.util.List.of();
    }

    @Override
    protected String adminToken() {
        return AdminUsersTest.adminToken();
    }
}
