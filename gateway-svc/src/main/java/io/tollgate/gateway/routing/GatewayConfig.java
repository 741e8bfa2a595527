package io.tollgate.gateway.routing;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

import java.time.Duration;
import java.util.Map;

/** {@code tollgate.upstream.<service>.url} and {@code .timeout}. */
@ConfigMapping(prefix = "tollgate.upstream")
public interface GatewayConfig {

    /** Upstream services by name: identity, billing, proxy, render, notification. */
    @WithParentName
    Map<String, Upstream> upstreams();

    interface Upstream {
        String url();

        /** How long the upstream may take to start answering before the caller gets 504. */
        @WithDefault("30s")
        Duration timeout();
    }
}
