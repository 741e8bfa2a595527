package io.tollgate.identity.sessions;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
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

import java.time.Clock;
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
    private final Clock clock;

    public SessionResource(SessionService sessions, CurrentPrincipal principal, Clock clock) {
        this.sessions = sessions;
        this.principal = principal;
        this.clock = clock;
    }

    @GET
    @Operation(summary = "Active sessions, the current one marked")
    public Uni<Page<SessionView>> list(@Valid @BeanParam PageRequest page) {
        Principal caller = principal.jwt();
        String where = "userId = ?1 and revokedAt is null and expiresAt > ?2";
        Instant now = clock.instant();
        return Panache.withSession(() -> Session.<Session>find(where + " order by lastUsedAt desc", caller.userUuid(), now)
                .page(page.page() - 1, page.size()).list()
                .chain(rows -> Session.count(where, caller.userUuid(), now).map(total -> Page.of(rows.stream()
                        .map(s -> new SessionView(s.id, s.deviceName, s.userAgent, s.ipAddress, s.createdAt, s.lastUsedAt,
                                s.expiresAt, s.id.equals(caller.sessionId())))
                        .toList(), page, total))));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Revoke one session; its tokens stop working at the gateway")
    public Uni<Response> revoke(@PathParam("id") UUID id) {
        Principal caller = principal.jwt();
        return Panache.withTransaction(() -> Session.<Session>findById(id).chain(session -> {
            if (session == null || !session.userId.equals(caller.userUuid()) || session.revokedAt != null) {
                return Uni.createFrom().failure(ProblemException.notFound("Session " + id));
            }
            return sessions.revoke(id, "revoked");
        })).replaceWith(Response.noContent().build());
    }

    @DELETE
    @Operation(summary = "Revoke every session except the current one")
    public Uni<Map<String, Integer>> revokeOthers() {
        Principal caller = principal.jwt();
        return Panache.withTransaction(() -> sessions.revokeAll(caller.userUuid(), caller.sessionId(), "revoke_others"))
                .map(n -> Map.of("revoked_count", n));
    }

}
