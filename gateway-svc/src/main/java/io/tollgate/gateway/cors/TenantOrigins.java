package io.tollgate.gateway.cors;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.StartupEvent;
import io.tollgate.contracts.identity.TenantCreated;
import io.tollgate.contracts.identity.TenantUpdated;
import io.tollgate.gateway.auth.IdentityClient;
import io.tollgate.kit.security.Revocations;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which browser origins each tenant allows ({@code allowed_origins}), loaded from identity and kept
 * current by its tenant events. An origin is compared whole: scheme, host and port.
 */
@ApplicationScoped
public class TenantOrigins implements Revocations.Listener {

    private static final Logger LOG = Logger.getLogger(TenantOrigins.class);

    private final Vertx vertx;
    private final IdentityClient identity;
    private volatile boolean loaded;
    private int ticks;

    private final Map<String, Set<String>> byTenant = new ConcurrentHashMap<>();
    private volatile Map<String, Set<String>> byOrigin = Map.of();

    public TenantOrigins(Vertx vertx, IdentityClient identity) {
        this.vertx = vertx;
        this.identity = identity;
    }

    void start(@Observes StartupEvent event) {
        load();
        // A full reload now and then repairs anything an event could not (for example a tenant
        // changed before this instance's replay window).
        vertx.setPeriodic(10_000, id -> {
            if (!loaded || ++ticks % 30 == 0) {
                load();
            }
        });
    }

    private void load() {
        identity.get("/internal/tenants/origins").onSuccess(answer -> {
            answer.path("data").forEach(t -> update(t.path("tenant_id").asText(), t.path("allowed_origins")));
            loaded = true;
        }).onFailure(e -> LOG.debugf("tenant origins not loaded yet: %s", e.toString()));
    }

    @Override
    public void identityEvent(String type, JsonNode body) {
        if (TenantCreated.TYPE.equals(type) || TenantUpdated.TYPE.equals(type)) {
            update(body.path("tenant_id").asText(), body.path("allowed_origins"));
        }
    }

    /** Replaces one tenant's list (from an event or the initial load). */
    public void update(String tenantId, JsonNode origins) {
        Set<String> list = ConcurrentHashMap.newKeySet();
        if (origins != null) {
            origins.forEach(o -> list.add(normalise(o.asText())));
        }
        byTenant.put(tenantId, Set.copyOf(list));
        rebuild();
    }

    /** Tenants that allow this origin (empty when none does). */
    public Set<String> tenantsAllowing(String origin) {
        return byOrigin.getOrDefault(normalise(origin), Set.of());
    }

    private synchronized void rebuild() {
        Map<String, Set<String>> index = new ConcurrentHashMap<>();
        byTenant.forEach((tenant, origins) -> origins.forEach(origin ->
                index.computeIfAbsent(origin, o -> ConcurrentHashMap.newKeySet()).add(tenant)));
        byOrigin = Map.copyOf(index);
    }

    static String normalise(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
