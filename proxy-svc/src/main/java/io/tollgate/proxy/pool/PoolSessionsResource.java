package io.tollgate.proxy.pool;

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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.UUID;

/**
 * The caller's sticky pool sessions ({@code -session-<id>} in the pool username): listed with their
 * exit's country and carrier, open connections and traffic; closed one by one or all at once. A
 * close answers once the node holding the session has ended its open connections (at its next
 * refresh), so its name picks a new exit when it is used after the answer.
 */
@Path("/v1/proxy/pool/sessions")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Proxy pool")
public class PoolSessionsResource {

    public record Closed(int closed) {
    }

    private final PoolSessions sessions;
    private final CurrentPrincipal principal;

    public PoolSessionsResource(PoolSessions sessions, CurrentPrincipal principal) {
        this.sessions = sessions;
        this.principal = principal;
    }

    @GET
    @Operation(summary = "The caller's live pool sessions, newest first, with their exit's country and carrier, connections and traffic")
    public Uni<Page<PoolSessions.SessionView>> list(@Valid @BeanParam PageRequest page) {
        Principal caller = principal.get();
        caller.requireScope("proxy:read");
        return sessions.list(caller.owner(), page);
    }

    @DELETE
    @Operation(summary = "Close every live pool session of the caller (closed: 0 when there was none)")
    public Uni<Closed> closeAll() {
        Principal caller = principal.get();
        caller.requireScope("proxy:write");
        return sessions.close(caller.owner(), null).map(Closed::new);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Close one live pool session of the caller; 404 when it is not the caller's or no longer live")
    public Uni<Closed> close(@PathParam("id") String id) {
        Principal caller = principal.get();
        caller.requireScope("proxy:write");
        UUID sessionId;
        try {
            sessionId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("pool session");
        }
        return sessions.close(caller.owner(), sessionId).map(n -> {
            if (n == 0) {
                throw ProblemException.notFound("pool session");
            }
            return new Closed(n);
        });
    }
}
