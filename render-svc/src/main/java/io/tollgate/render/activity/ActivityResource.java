package io.tollgate.render.activity;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import io.tollgate.render.assets.AssetLinks;
import io.tollgate.render.assets.AssetRepository;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The caller's render calls: what was asked, what it cost, what failed and why. Someone else's request is 404. */
@Path("/v1/me/activity")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Activity")
public class ActivityResource {

    private static final Set<String> OPERATIONS = Set.of("submit", "run", "status", "result", "cancel", "stream");
    private static final Set<String> STATUSES = Set.of("success", "error");

    /** A file the request produced, behind a fresh signed link. */
    public record AssetView(UUID assetId, String url, String contentType, long sizeBytes, Integer width, Integer height,
                            Integer durationMs, Instant expiresAt) {
    }

    /** One request: its submit, every call on it, and its files. */
    public record RequestActivity(ActivityRepository.Entry record, List<ActivityRepository.Entry> operations, List<AssetView> assets) {
    }

    private final ActivityRepository activity;
    private final AssetRepository assets;
    private final AssetLinks links;
    private final CurrentPrincipal principal;

    public ActivityResource(ActivityRepository activity, AssetRepository assets, AssetLinks links, CurrentPrincipal principal) {
        this.activity = activity;
        this.assets = assets;
        this.links = links;
        this.principal = principal;
    }

    @GET
    @Operation(summary = "The caller's render calls, newest first; filter by model_id, api_key_id, operation"
            + " (submit, run, status, result, cancel, stream) and status (success, error)")
    public Uni<Page<ActivityRepository.Entry>> list(@QueryParam("model_id") String modelId, @QueryParam("api_key_id") String apiKeyId,
                                                    @QueryParam("operation") String operation, @QueryParam("status") String status,
                                                    @Valid @BeanParam PageRequest page) {
        Principal caller = caller();
        if (operation != null && !OPERATIONS.contains(operation)) {
            throw ProblemException.validation("operation", "must be one of cancel, result, run, status, stream, submit");
        }
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.validation("status", "must be success or error");
        }
        if (modelId != null && modelId.length() > 200) {
            throw ProblemException.validation("model_id", "must be at most 200 characters");
        }
        UUID key = null;
        if (apiKeyId != null) {
            try {
                key = UUID.fromString(apiKeyId);
            } catch (IllegalArgumentException e) {
                throw ProblemException.validation("api_key_id", "must be a UUID");
            }
        }
        return activity.page(caller.owner(), modelId, key, operation, status, page).map(slice -> Page.of(slice.rows(), page,
                slice.total()));
    }

    @GET
    @Path("/{requestId}")
    @Operation(summary = "One request's activity: its submit (with what it cost or why it failed), every call on it, and its files")
    public Uni<RequestActivity> request(@PathParam("requestId") String requestId) {
        Principal caller = caller();
        UUID id;
        try {
            id = UUID.fromString(requestId);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("request");
        }
        return activity.ofJob(caller.owner(), id).chain(calls -> {
            ActivityRepository.Entry submit = calls.stream().filter(c -> !c.replayed() && (c.operation().equals("submit")
                    || c.operation().equals("run"))).findFirst().orElseThrow(() -> ProblemException.notFound("request"));
            Instant now = Instant.now();
            return assets.ofJob(id).map(files -> new RequestActivity(submit, calls, files.stream()
                    .filter(a -> a.expiresAt().isAfter(now))
                    .map(a -> new AssetView(a.id(), links.url(a.id()), a.contentType(), a.sizeBytes(), a.width(), a.height(),
                            a.durationMs(), a.expiresAt()))
                    .toList()));
        });
    }

    private Principal caller() {
        Principal caller = principal.get();
        caller.requireScope("render:read");
        return caller;
    }
}
