package io.tollgate.render.plans;

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

/** The caller's render limits: what is left in the day or the plan's period, jobs at once and queue priority. */
@Path("/v1/me/render-limits")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Limits")
public class LimitsResource {

    private final CurrentPrincipal principal;
    private final RenderLimits limits;

    public LimitsResource(CurrentPrincipal principal, RenderLimits limits) {
        this.principal = principal;
        this.limits = limits;
    }

    @GET
    @Operation(summary = "Renders left (per day, or per plan period), jobs at once and queue priority")
    public Uni<RenderLimits.Limits> get() {
        Principal caller = principal.get();
        caller.requireScope("render:read");
        return limits.of(caller.owner());
    }
}
