package io.tollgate.render.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import io.tollgate.render.activity.ActivityLog;
import io.tollgate.render.catalog.CatalogService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The synchronous run: the same submit as the queue's (schema, hold, Idempotency-Key), then the
 * answer waits for the job's end, five minutes at most or what {@code Prefer: wait=N} (seconds,
 * RFC 7240, as Replicate takes it) asks for. A job still running then is not stopped: the answer is
 * 202 with its {@code request_id} and the queue's URLs, and it completes (and is charged) as a
 * queued one would.
 */
@Path("/v1/run")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Queue")
public class RunResource {

    static final int MAX_WAIT_SECONDS = 300;
    private static final Pattern WAIT = Pattern.compile("(?:^|[,;\\s])wait\\s*=\\s*\"?([^,;\\s\"]*)\"?", Pattern.CASE_INSENSITIVE);

    /** The 202 of a run that outlasted its wait. */
    public record RunTimeout(String error, String code, String message, UUID requestId, String status, String statusUrl,
                             String responseUrl, String cancelUrl) {
    }

    private final JobService jobs;
    private final JobViews views;
    private final CatalogService catalog;
    private final CurrentPrincipal principal;
    private final Clock clock;
    private final ActivityLog activity;

    public RunResource(JobService jobs, JobViews views, CatalogService catalog, CurrentPrincipal principal, Clock clock,
                       ActivityLog activity) {
        this.activity = activity;
        this.jobs = jobs;
        this.views = views;
        this.catalog = catalog;
        this.principal = principal;
        this.clock = clock;
    }

    @POST
    @Path("/{modelId: .+}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Run and wait: 200 with the result; 202 TIMEOUT with the request_id when it outlasts the wait"
            + " (Prefer: wait=N seconds, at most 300); 502 RENDER_FAILED when the job failed (its hold is released)")
    @APIResponse(responseCode = "200", description = "The result",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobViews.Result.class)))
    @APIResponse(responseCode = "202", description = "Still running; poll the queue's URLs",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunTimeout.class)))
    public Uni<Response> run(@PathParam("modelId") String modelId, JsonNode input, @HeaderParam(Idempotency.HEADER) String key,
                             @HeaderParam("Prefer") String prefer) {
        Principal caller = principal.get();
        caller.requireScope("render:create");
        int wait = waitSeconds(prefer);
        return activity.record(caller, modelId, "run", null, (JobService.Submitted s) -> s.job().id(), JobService.Submitted::replayed,
                        () -> jobs.submit(caller.owner(), caller.apiKeyId(), modelId, input, key))
                .chain(submitted -> jobs.awaitEnd(submitted.job().id(), clock.instant().plus(Duration.ofSeconds(wait)))
                        .chain(job -> answer(job, submitted.replayed(), wait)));
    }

    private Uni<Response> answer(Job job, boolean replayed, int wait) {
        Uni<Response.ResponseBuilder> answer = switch (job.status()) {
            case Job.COMPLETED -> catalog.model(job.modelId()).map(model -> Response.ok(views.result(job, model.priceUnit())));
            case Job.FAILED -> throw new ProblemException(502, "RENDER_FAILED", "Render failed",
                    "The job failed; its hold is released and nothing is charged.").with("request_id", job.id())
                    .with("error", job.error());
            case Job.CANCELLED -> throw ProblemException.conflict("REQUEST_CANCELLED", "The request was cancelled before it started.")
                    .with("request_id", job.id());
            default -> {
                JobViews.Submitted urls = views.submitted(job, 0);
                yield Uni.createFrom().item(Response.status(202).header("Location", urls.statusUrl())
                        .entity(new RunTimeout("timeout", "TIMEOUT", "The job did not end within " + wait
                                + " s; it goes on, and its status and result are at the queue's URLs.", job.id(), job.status(),
                                urls.statusUrl(), urls.responseUrl(), urls.cancelUrl())));
            }
        };
        return answer.map(builder -> {
            builder.header("Preference-Applied", "wait=" + wait);
            if (replayed) {
                builder.header(Idempotency.REPLAYED, "true");
            }
            return builder.build();
        });
    }

    /** The wait a {@code Prefer} header asks for, within 1..300 s; 300 without one. */
    static int waitSeconds(String prefer) {
        if (prefer == null) {
            return MAX_WAIT_SECONDS;
        }
        Matcher m = WAIT.matcher(prefer);
        if (!m.find()) {
            return MAX_WAIT_SECONDS;
        }
        try {
            long asked = Long.parseLong(m.group(1));
            if (asked < 1) {
                throw new NumberFormatException();
            }
            return (int) Math.min(asked, MAX_WAIT_SECONDS);
        } catch (NumberFormatException e) {
            throw new ProblemException(400, "INVALID_PREFER", "Bad request", "Prefer: wait= takes a whole number of seconds from 1.")
                    .with("field", "Prefer");
        }
    }
}
