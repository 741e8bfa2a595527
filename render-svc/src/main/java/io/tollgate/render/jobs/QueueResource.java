package io.tollgate.render.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import io.tollgate.render.activity.ActivityLog;
import io.tollgate.render.catalog.CatalogService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.util.List;
import java.util.UUID;

/**
 * The queue, fal-style: submit on the model's path, then status, result and cancel on the request's.
 * Model ids hold slashes unencoded. Another owner's request, or one asked for on another model's
 * path, is 404.
 */
@Path("/v1/queue")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Queue")
public class QueueResource {

    private static final java.time.Duration STREAM_EVERY = java.time.Duration.ofMillis(250);
    private static final java.time.Duration STREAM_HEARTBEAT = java.time.Duration.ofSeconds(15);

    private final JobService jobs;
    private final JobViews views;
    private final CatalogService catalog;
    private final CurrentPrincipal principal;
    private final ActivityLog activity;

    public QueueResource(JobService jobs, JobViews views, CatalogService catalog, CurrentPrincipal principal, ActivityLog activity) {
        this.jobs = jobs;
        this.views = views;
        this.catalog = catalog;
        this.principal = principal;
        this.activity = activity;
    }

    @POST
    @Path("/{modelId: .+}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit: the input is checked against the model's schema (422), the estimate held at billing (402), 202 IN_QUEUE")
    public Uni<Response> submit(@PathParam("modelId") String modelId, JsonNode input, @HeaderParam(Idempotency.HEADER) String key) {
        Principal caller = caller("render:create");
        return activity.record(caller, modelId, "submit", null, (JobService.Submitted s) -> s.job().id(), JobService.Submitted::replayed,
                () -> jobs.submit(caller.owner(), caller.apiKeyId(), modelId, input, key)).map(submitted -> {
            Response.ResponseBuilder answer = Response.status(202).entity(views.submitted(submitted.job(), submitted.queuePosition()));
            if (submitted.replayed()) {
                answer.header(Idempotency.REPLAYED, "true");
            }
            return answer.build();
        });
    }

    @GET
    @Path("/{modelId: .+}/requests/{requestId}/status")
    @Operation(summary = "Where the request is: queue position, progress, timestamps; logs=1 adds its log lines")
    public Uni<JobViews.Status> status(@PathParam("modelId") String modelId, @PathParam("requestId") String requestId,
                                       @QueryParam("logs") String logs) {
        Principal caller = caller("render:read");
        UUID id = id(requestId);
        return activity.onJob(caller, modelId, "status", id, () -> jobs.job(caller.owner(), modelId, id).chain(job -> jobs.queuePosition(job)
                .chain(position -> ("1".equals(logs) || "true".equals(logs) ? jobs.logs(job) : Uni.createFrom().<List<Job.Log>>nullItem())
                        .map(lines -> views.status(job, position, lines)))));
    }

    @GET
    @Path("/{modelId: .+}/requests/{requestId}")
    @Operation(summary = "The result of a completed request: its files behind signed links, the usage and the cost")
    public Uni<JobViews.Result> result(@PathParam("modelId") String modelId, @PathParam("requestId") String requestId) {
        Principal caller = caller("render:read");
        UUID id = id(requestId);
        return activity.onJob(caller, modelId, "result", id, () -> jobs.job(caller.owner(), modelId, id).chain(job -> {
            if (!Job.COMPLETED.equals(job.status())) {
                throw ProblemException.conflict("REQUEST_NOT_COMPLETED", "The request is " + job.status() + "; its result is not there.")
                        .with("status", job.status());
            }
            return catalog.model(job.modelId()).map(model -> views.result(job, model.priceUnit()));
        }));
    }

    @GET
    @Path("/requests/{requestId}/status/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "The request's status as Server-Sent Events: one event per change (and every 15 s while nothing"
            + " changes) until it has ended, the end included; logs=1 adds its log lines")
    public Multi<JobViews.Status> stream(@PathParam("requestId") String requestId, @QueryParam("logs") String logs) {
        Principal caller = caller("render:read");
        UUID id = id(requestId);
        boolean withLogs = "1".equals(logs) || "true".equals(logs);
        // looked up before the stream opens, so that another owner's request is a plain 404 (once the
        // events have begun, the status line has been sent); hence a worker thread for this call
        Job owned = jobs.job(caller.owner(), null, id).await().atMost(java.time.Duration.ofSeconds(10));
        return activity.onJob(caller, owned.modelId(), "stream", id, () -> Uni.createFrom().item(owned))
                .onItem().transformToMulti(first -> jobs.watch(id, STREAM_EVERY, STREAM_HEARTBEAT)
                        .onItem().transformToUniAndConcatenate(job -> jobs.queuePosition(job)
                                .chain(position -> (withLogs ? jobs.logs(job) : Uni.createFrom().<List<Job.Log>>nullItem())
                                        .map(lines -> views.status(job, position, lines)))));
    }

    @PUT
    @Path("/{modelId: .+}/requests/{requestId}/cancel")
    @Operation(summary = "Cancel: a queued request ends now, {ok: true, status: CANCELLED}, and its hold is released;"
            + " one that has started runs to its end and is charged then, {ok: false, status}")
    public Uni<JobService.Cancel> cancel(@PathParam("modelId") String modelId, @PathParam("requestId") String requestId) {
        Principal caller = caller("render:cancel");
        UUID id = id(requestId);
        return activity.onJob(caller, modelId, "cancel", id, () -> jobs.cancel(caller.owner(), modelId, id));
    }

    private Principal caller(String scope) {
        Principal caller = principal.get();
        caller.requireScope(scope);
        return caller;
    }

    static UUID id(String requestId) {
        try {
            return UUID.fromString(requestId);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("request");
        }
    }
}
