package io.tollgate.gateway.limits;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Requests per window for each bucket ({@code tollgate.gateway.limits.*}); seed figures by default. */
@ConfigMapping(prefix = "tollgate.gateway.limits")
public interface LimitsConfig {

    @WithDefault("PT1M")
    Duration window();

    /** Sign-up, sign-in, password reset, verification: per client address. */
    @WithDefault("5")
    long authPerIp();

    /** Unauthenticated reads (model catalogue, token refresh, tenant lookup): per client address. */
    @WithDefault("600")
    long publicPerIp();

    @WithDefault("200")
    long general();

    @WithDefault("100")
    long ports();

    @WithDefault("10")
    long purchase();

    @WithDefault("60")
    long admin();
}
