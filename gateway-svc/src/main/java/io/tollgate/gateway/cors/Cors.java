package io.tollgate.gateway.cors;

import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Set;

/**
 * Browser access per tenant: an origin is allowed when some tenant lists it in
 * {@code allowed_origins} (or the deployment lists it in {@code tollgate.gateway.cors.origins});
 * on an authenticated call it must belong to the caller's own tenant. Bearer tokens, not cookies,
 * carry credentials, so {@code Access-Control-Allow-Credentials} is never sent.
 */
@Singleton
public class Cors {

    static final String ALLOW_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE";
    static final String ALLOW_HEADERS = "Authorization, Content-Type, X-API-Key, Idempotency-Key, X-Request-Id, traceparent, tracestate";
    static final String EXPOSE_HEADERS = "X-Request-Id, RateLimit, RateLimit-Policy, Retry-After, Idempotent-Replayed, Location";

    private final TenantOrigins origins;
    private final Set<String> deploymentOrigins;

    public Cors(TenantOrigins origins, @ConfigProperty(name = "tollgate.gateway.cors.origins", defaultValue = "none") Set<String> deploymentOrigins) {
        this.origins = origins;
        this.deploymentOrigins = deploymentOrigins.stream().map(TenantOrigins::normalise).collect(java.util.stream.Collectors.toSet());
    }

    /** Whether any tenant (or the deployment) allows {@code origin}: enough for a preflight, which carries no token. */
    public boolean known(String origin) {
        return deploymentOrigins.contains(TenantOrigins.normalise(origin)) || !origins.tenantsAllowing(origin).isEmpty();
    }

    /** Whether a call by a member of {@code tenantId} (null when unauthenticated) may be read by {@code origin}. */
    public boolean allows(String origin, String tenantId) {
        if (deploymentOrigins.contains(TenantOrigins.normalise(origin))) {
            return true;
        }
        Set<String> tenants = origins.tenantsAllowing(origin);
        return tenantId == null ? !tenants.isEmpty() : tenants.contains(tenantId);
    }

    public void preflight(HttpServerResponse response, String origin) {
        response.putHeader("Access-Control-Allow-Origin", origin)
                .putHeader("Access-Control-Allow-Methods", ALLOW_METHODS)
                .putHeader("Access-Control-Allow-Headers", ALLOW_HEADERS)
                .putHeader("Access-Control-Max-Age", "600")
                .putHeader("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    }

    public void actual(HttpServerResponse response, String origin) {
        response.putHeader("Access-Control-Allow-Origin", origin)
                .putHeader("Access-Control-Expose-Headers", EXPOSE_HEADERS)
                .putHeader("Vary", "Origin");
    }
}
