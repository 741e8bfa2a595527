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

/**
 * What the caller holds of the proxy product, per kind: slots, ports by state, spent traffic, traffic
 * carried; and the pool entry's traffic by direction with its connections and sessions open now.
 */
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

    public record PoolView(long trafficInBytes, long trafficOutBytes, long usedTrafficBytes, long activeConnections, long activeSessions) {
        static PoolView of(PoolStats.PoolFigures f) {
            return new PoolView(f.trafficInBytes(), f.trafficOutBytes(), f.trafficInBytes() + f.trafficOutBytes(), f.activeConnections(),
                    f.activeSessions());
        }
    }

    public record StatsView(KindView shared, @JsonProperty("private") KindView isPrivate, PoolView pool, long usedTrafficBytes) {
    }

    private final PoolStats stats;
    private final CurrentPrincipal principal;

    public PoolStatsResource(PoolStats stats, CurrentPrincipal principal) {
        this.stats = stats;
        this.principal = principal;
    }

    @GET
    @Operation(summary = "The caller's slots, ports by state, spent-traffic flags and traffic carried, per kind (shared, private), and the pool entry's traffic and open connections and sessions")
    public Uni<StatsView> get() {
        Principal caller = principal.get();
        caller.requireScope("proxy:read");
        return stats.of(caller.owner()).map(s -> new StatsView(KindView.of(s.shared()), KindView.of(s.isPrivate()), PoolView.of(s.pool()),
                s.shared().usedTrafficBytes() + s.isPrivate().usedTrafficBytes() + s.pool().trafficInBytes() + s.pool().trafficOutBytes()));
    }
}
