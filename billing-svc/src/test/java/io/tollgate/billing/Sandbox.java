package io.tollgate.billing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tollgate.sandbox.ProviderSandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** The provider sandbox on a free port, with billing pointed at it. */
public class Sandbox implements QuarkusTestResourceLifecycleManager {

    static final String WEBHOOK_SECRET = "whsec_test_4c9b1f";
    static volatile ProviderSandbox running;

    @Override
    public Map<String, String> start() {
        try {
            running = ProviderSandbox.start(0, "sk_test_billing", WEBHOOK_SECRET, "http://127.0.0.1:1/unset");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "tollgate.billing.stripe.api-url", running.baseUrl() + "/stripe",
                "tollgate.billing.stripe.checkout-url", running.baseUrl() + "/stripe/checkout",
                "tollgate.billing.stripe.secret-key", "sk_test_billing",
                "tollgate.billing.stripe.webhook-secret", WEBHOOK_SECRET,
                "tollgate.billing.yookassa.api-url", running.baseUrl() + "/yookassa",
                "tollgate.billing.coingate.api-url", running.baseUrl() + "/coingate");
    }

    @Override
    public void stop() {
        if (running != null) {
            running.close();
        }
    }
}
