package io.tollgate.render.jobs;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The caller's requests, newest first. */
@Path("/v1/jobs")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Queue")
public class JobsResource {

    private final JobService jobs;
    private final JobViews views;
    private final CurrentPrincipal principal;

    public JobsResource(JobService jobs, JobViews views, CurrentPrincipal principal) {
        this.jobs = jobs;
        this.views = views;
        this.principal = principal;
    }

    @GET
    @Operation(summary = "The caller's requests, newest first; filter by status and model_id")
    public Uni<Page<JobViews.Summary>> list(@QueryParam("status") String status, @QueryParam("model_id") String modelId,
                                           @Valid @BeanParam PageRequest page) {
        Principal caller = principal.get();
        caller.requireScope("render:read");
        return jobs.list(caller.owner(), status, modelId, page).map(p -> p.map(views::summary));
    }
}
