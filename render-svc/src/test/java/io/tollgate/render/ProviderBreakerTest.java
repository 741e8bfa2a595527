package io.tollgate.render;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tollgate.render.providers.ProviderService.Endpoint;
import io.tollgate.render.renderers.FalQueueClient;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Each remote provider has a circuit breaker of its own: one that stops answering does not pause the others. */
@QuarkusTest
@TestProfile(ProviderBreakerTest.SmallBreaker.class)
@QuarkusTestResource(StandInBilling.class)
@QuarkusTestResource(RenderProviderSandbox.class)
class ProviderBreakerTest {

    /** No retries and a breaker that opens after four failed calls, so the test reaches it quickly. */
    public static class SmallBreaker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tollgate.render.remote.breaker.request-volume", "4",
                    "tollgate.render.remote.breaker.delay", "PT60S",
                    "io.tollgate.render.renderers.FalQueueClient/submit/Retry/maxRetries", "0");
        }
    }

    private final FalQueueClient client;

    ProviderBreakerTest(FalQueueClient client) {
        this.client = client;
    }

    @Test
    void a_dead_provider_opens_its_own_breaker_and_the_sandbox_still_answers() throws Exception {
        Endpoint dead = new Endpoint("dead-" + UUID.randomUUID(), "http://127.0.0.1:1/fal", "key");
        Endpoint sandbox = new Endpoint("sandbox", RenderProviderSandbox.running.baseUrl() + "/fal", "fal_sandbox_key");
        String input = "{\"prompt\": \"breaker\", \"width\": 64, \"height\": 64}";
        for (int i = 0; i < 4; i++) {
            assertThrows(IOException.class, () -> client.submit(dead, "tollgate-sandbox/fast-image", input, UUID.randomUUID().toString(), null));
        }
        assertThrows(CircuitBreakerOpenException.class,
                () -> client.submit(dead, "tollgate-sandbox/fast-image", input, UUID.randomUUID().toString(), null));
        // the other provider's calls go through
        for (int i = 0; i < 6; i++) {
            FalQueueClient.Submitted submitted = client.submit(sandbox, "tollgate-sandbox/fast-image", input, UUID.randomUUID().toString(), null);
            assertFalse(submitted.requestId().isBlank());
        }
    }
}
