package io.tollgate.render;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tollgate.sandbox.ProviderSandbox;
import io.tollgate.sandbox.RenderQueueSandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** The provider sandbox on a free port, with render's {@code sandbox} provider pointed at its fal-style queue. */
public class RenderProviderSandbox implements QuarkusTestResourceLifecycleManager {

    static volatile ProviderSandbox running;

    static RenderQueueSandbox queue() {
        return running.renderQueue();
    }

    @Override
    public Map<String, String> start() {
        try {
            running = ProviderSandbox.start(0, "sk_test_render", "whsec_test_render", "http://127.0.0.1:1/unset");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("tollgate.render.providers.sandbox.url", running.baseUrl() + "/fal");
    }

    @Override
    public void stop() {
        if (running != null) {
            running.close();
        }
    }
}
