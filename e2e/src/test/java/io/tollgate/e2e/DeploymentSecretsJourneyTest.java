package io.tollgate.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outside the local and test profiles there are no development secrets: a production start that
 * was given none refuses to start, and so does one that was given the repository's development
 * values, each naming the key to set.
 */
@ExtendWith(FleetExtension.class)
class DeploymentSecretsJourneyTest {

    private static String refusal(Fleet fleet, String service, Map<String, String> overrides) throws Exception {
        try (Fleet.Extra alone = fleet.startAlone(service, "prod", overrides)) {
            assertTrue(alone.process().waitFor(120, TimeUnit.SECONDS), service + " kept running in production without its secrets");
            assertNotEquals(0, alone.process().exitValue());
            Path log = Fleet.root().resolve("e2e/target/fleet/" + service + "-alone-prod.log");
            return Files.readString(log);
        }
    }

    @Test
    void identity_refuses_to_start_in_production_without_its_own_keys(Fleet fleet) throws Exception {
        String log = refusal(fleet, "identity", Map.of());
        assertTrue(log.contains("tollgate.identity.data-key"), log);
    }

    @Test
    void billing_refuses_to_start_in_production_on_the_sandbox_keys(Fleet fleet) throws Exception {
        Map<String, String> sandbox = new HashMap<>();
        sandbox.put("TOLLGATE_BILLING_STRIPE_SECRET_KEY", "sk_test_sandbox");
        sandbox.put("TOLLGATE_BILLING_STRIPE_WEBHOOK_SECRET", "whsec_sandbox");
        sandbox.put("TOLLGATE_BILLING_YOOKASSA_SHOP_ID", "100500");
        sandbox.put("TOLLGATE_BILLING_YOOKASSA_SECRET_KEY", "test_sandbox_yookassa");
        sandbox.put("TOLLGATE_BILLING_COINGATE_API_TOKEN", "cg_sandbox_api_token");
        // a real signing key for the hosted pages' links, so that the refusal is the providers' sandbox keys
        sandbox.put("TOLLGATE_PAGES_LINK_KEY", "e2e-production-page-link-key-4f9c2a7d81b3e6a0");
        String log = refusal(fleet, "billing", sandbox);
        assertTrue(log.contains("holds a development value"), log);
        assertTrue(log.contains("tollgate.billing."), log);
    }
}
