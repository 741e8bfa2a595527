package io.tollgate.proxy.pool;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** What the caller holds of the proxy product, per kind: slots, ports by state, spent traffic, traffic carried. */
@Path("/v1/proxy/pool/stats")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Proxy pool")
public class PoolStatsResource {

    public record KindView(int slots, long freeSlots, long activePorts, long suspendedPorts, long expiredPorts, boolean trafficExhausted,
                           long usedTrafficBytes) {
        static KindView of(PoolStats.Kind k) {
            return new KindView(k.slots(), k.freeSlots(), k.activePorts(), k.suspendedPorts(), k.expiredPorts(), k.trafficExhausted(),
                    k.usedTrafficBytes());
        }
    }

    public record StatsView(KindView shared, @JsonProperty("private") KindView isPrivate, long usedTrafficBytes) {
    }

    private final PoolStats stats;
    private final CurrentPrincipal principal;

    public PoolStatsResource(PoolStats stats, CurrentPrincipal principal) {
        this.stats = stats;
        this.principal = principal;
    }

    @GET
    @Operation(summary = "The caller's slots, ports by state, spent-traffic flags and traffic carried, per kind (shared, private)")
    public Uni<StatsView> get() {
        Principal caller = principal.get();
        caller.requireScope("proxy:read");
        return stats.of(caller.owner()).map(s -> new StatsView(KindView.of(s.shared()), KindView.of(s.isPrivate()),
                s.shared().usedTrafficBytes() + s.isPrivate().usedTrafficBytes()));
    }
}
