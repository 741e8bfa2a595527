package io.tollgate.identity.sessions;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** The caller's own sessions (JWT only). */
@Path("/v1/auth/sessions")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Sessions")
public class SessionResource {

    public record SessionView(UUID id, String deviceName, String userAgent, String ipAddress, Instant issuedAt,
                              Instant lastUsedAt, Instant expiresAt, boolean isCurrent) {
    }

    private final SessionService sessions;
    private final CurrentPrincipal principal;

    public SessionResource(SessionService sessions, CurrentPrincipal principal) {
        this.sessions = sessions;
        this.principal = principal;
    }

    @GET
    @Operation(summary = "Active sessions, the current one marked")
    public Uni<Page<SessionView>> list(@Valid @BeanParam PageRequest page) {
        Principal caller = principal.jwt();
        return sessions.list(caller.owner(), page).map(p -> p.map(s -> new SessionView(s.id(), s.deviceName(), s.userAgent(),
                s.ipAddress(), s.createdAt(), s.lastUsedAt(), s.expiresAt(), s.id().equals(caller.sessionId()))));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Revoke one session; its tokens stop working at the gateway")
    public Uni<Response> revoke(@PathParam("id") UUID id) {
        return sessions.revoke(principal.jwt().owner(), id).replaceWith(Response.noContent().build());
    }

    @DELETE
    @Operation(summary = "Revoke every session except the current one")
    public Uni<Map<String, Integer>> revokeOthers() {
        Principal caller = principal.jwt();
        return sessions.revokeOthers(caller.owner(), caller.sessionId()).map(n -> Map.of("revoked_count", n));
    }
}
