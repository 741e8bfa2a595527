package io.tollgate.notification;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.ServiceContractTest;

@QuarkusTest
class NotificationServiceTest extends ServiceContractTest {

    @Override
    protected String service() {
        return "notification-svc";
    }
}
