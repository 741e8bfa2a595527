package io.tollgate.gateway.routing;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

import java.time.Duration;
import java.util.Map;

/** {@code tollgate.upstream.<service>.url}, {@code .management-url} and {@code .timeout}. */
@ConfigMapping(prefix = "tollgate.upstream")
public interface GatewayConfig {

    /** Upstream services by name: identity, billing, proxy, render, notification. */
    @WithParentName
    Map<String, Upstream> upstreams();

    interface Upstream {
        String url();

        /** The service's management interface ({@code /q/health}, {@code /q/openapi}), never public. */
        String managementUrl();

        /** How long the upstream may take to start answering before the caller gets 504. */
        @WithDefault("30s")
        Duration timeout();
    }
}
