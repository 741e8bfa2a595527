package io.tollgate.proxy.ports;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Owner;
import io.vertx.core.json.JsonObject;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The caller's long operations (the seed's account processes): a smart bulk creation's progress,
 * the ports it made and the items it could not make, and its cancel. Another owner's process is 404.
 */
@Path("/v1/proxy/processes")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Processes")
public class ProcessResource {

    public record MadePort(int index, UUID id, String name, int httpPort, int socksPort, UUID deviceId) {
    }

    public record ItemError(int index, String code, String error) {
    }

    public record ProcessView(UUID id, String type, String status, String message, int progress, int total, int completed, int failed,
                              Map<String, Object> metadata, List<MadePort> ports, List<ItemError> errors, Instant startedAt,
                              Instant finishedAt, Instant updatedAt) {
        static ProcessView of(BulkProcess p) {
            List<MadePort> made = new ArrayList<>();
            List<ItemError> errors = new ArrayList<>();
            if (p.ports() != null) {
                for (Object o : p.ports()) {
                    JsonObject m = (JsonObject) o;
                    made.add(new MadePort(m.getInteger("index"), UUID.fromString(m.getString("id")), m.getString("name"),
                            m.getInteger("http_port"), m.getInteger("socks_port"), UUID.fromString(m.getString("device_id"))));
                }
            }
            if (p.errors() != null) {
                for (Object o : p.errors()) {
                    JsonObject e = (JsonObject) o;
                    errors.add(new ItemError(e.getInteger("index"), e.getString("code"), e.getString("error")));
                }
            }
            return new ProcessView(p.id(), p.type(), p.status(), p.message(), p.progress(), p.total(), p.completed(), p.failed(),
                    p.metadata().getMap(), made, errors, p.startedAt(), p.finishedAt(), p.updatedAt());
        }
    }

    private final SmartBulk smartBulk;
    private final CurrentPrincipal principal;

    public ProcessResource(SmartBulk smartBulk, CurrentPrincipal principal) {
        this.smartBulk = smartBulk;
        this.principal = principal;
    }

    @GET
    @Operation(summary = "The caller's processes, newest first; filter status (running, completed, failed, cancelled)")
    public Uni<Page<ProcessView>> list(@QueryParam("status") String status, @Valid @BeanParam PageRequest page) {
        return smartBulk.list(owner("proxy:read"), status, page).map(p -> p.map(ProcessView::of));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A process: status, progress (percent), total, completed, failed, the ports made and the items that failed")
    public Uni<ProcessView> get(@PathParam("id") String id) {
        return smartBulk.get(owner("proxy:read"), id(id)).map(ProcessView::of);
    }

    @POST
    @Path("/{id}/cancel")
    @Operation(summary = "Stop a running process between two items: the ports made so far stay; 409 ALREADY_COMPLETED once it ended")
    public Uni<ProcessView> cancel(@PathParam("id") String id) {
        return smartBulk.cancel(owner("proxy:write"), id(id)).map(ProcessView::of);
    }

    private Owner owner(String scope) {
        var caller = principal.get();
        caller.requireScope(scope);
        return caller.owner();
    }

    private static UUID id(String raw) {
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("process");
        }
    }
}
