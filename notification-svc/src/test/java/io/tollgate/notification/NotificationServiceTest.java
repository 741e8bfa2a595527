package io.tollgate.notification;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.ServiceContractTest;

@QuarkusTest
class NotificationServiceTest extends ServiceContractTest {

    @Override
    protected String service() {
        return "notification-svc";
    }

    @Override
    protected String adminPrefix() {
        return "/v1/admin/notifications";
    }

    @Override
    protected java.util.List<String> consumers() {
        return java.util.List.of("notification.render", "notification.billing", "notification.proxy", "notification.directory", "notification.proxy-mail", "notification.mail", "notification.identity-mail", "notification.webhooks", "notification.proxy-webhooks");
    }
}
