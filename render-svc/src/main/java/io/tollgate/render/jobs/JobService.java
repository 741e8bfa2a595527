package io.tollgate.render.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.render.JobCancelled;
import io.tollgate.contracts.render.JobQueued;
import io.tollgate.contracts.render.JobSubmitted;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.Problem;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import io.tollgate.render.assets.Uploads;
import io.tollgate.render.catalog.CatalogService;
import io.tollgate.render.catalog.InputValidation;
import io.tollgate.render.catalog.Model;
import io.tollgate.render.holds.BillingHolds;
import io.tollgate.render.plans.RenderLimits;
import io.tollgate.render.pricing.Pricing;
import io.tollgate.render.pricing.Quote;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Submitting, reading and cancelling jobs. A submit checks the input against the model's schema,
 * prices it, places the hold at billing (402 at once when the balance is short), then commits the
 * job with {@code job.submitted} and the workers' {@code job.queued} through the outbox. With an
 * Idempotency-Key the job's id is derived from (user, key): a retry, or two racing twins, find the
 * same job and the same hold.
 */
@ApplicationScoped
public class JobService {

    private static final Duration MAX_POLL = Duration.ofMillis(500);
    private static final Set<String> STATUSES = Set.of(Job.IN_QUEUE, Job.IN_PROGRESS, Job.COMPLETED, Job.FAILED, Job.CANCELLED);

    /** A job as answered to a submit: the job, and whether it was an earlier request's. */
    public record Submitted(Job job, long queuePosition, boolean replayed) {
    }

    private final JobRepository jobs;
    private final CatalogService catalog;
    private final InputValidation inputs;
    private final Pricing pricing;
    private final BillingHolds holds;
    private final Uploads uploads;
    private final Outbox outbox;
    private final RequestWebhooks webhooks;
    private final RenderLimits limits;
    private final Idempotency idempotency;
    private final Clock clock;
    private final Duration holdTtl;
    private final int maxAttempts;

    public JobService(JobRepository jobs, CatalogService catalog, InputValidation inputs, Pricing pricing, BillingHolds holds,
                      Uploads uploads, Outbox outbox, RequestWebhooks webhooks, RenderLimits limits, Idempotency idempotency, Clock clock,
                      @ConfigProperty(name = "tollgate.render.hold-ttl", defaultValue = "PT1H") Duration holdTtl,
                      @ConfigProperty(name = "tollgate.render.max-attempts", defaultValue = "3") int maxAttempts) {
        this.jobs = jobs;
        this.catalog = catalog;
        this.inputs = inputs;
        this.pricing = pricing;
        this.holds = holds;
        this.uploads = uploads;
        this.outbox = outbox;
        this.webhooks = webhooks;
        this.limits = limits;
        this.idempotency = idempotency;
        this.clock = clock;
        this.holdTtl = holdTtl;
        this.maxAttempts = maxAttempts;
    }

    public Uni<Submitted> submit(Owner owner, UUID apiKeyId, String modelId, JsonNode input, String idempotencyKey) {
        if (idempotencyKey != null) {
            Idempotency.checkKey(idempotencyKey);
        }
        return catalog.model(modelId).chain(model -> {
            ObjectNode body = input instanceof ObjectNode object ? object.deepCopy() : null;
            RequestWebhooks.Requested webhook = body == null ? null : webhooks.take(body);
            ObjectNode complete = inputs.check(model, body == null ? input : body);
            Quote quote = pricing.quote(model, complete);
            String fingerprint = idempotencyKey == null ? null : idempotency.fingerprint("POST", "/v1/queue/" + modelId, input);
            UUID id = idempotencyKey == null ? UUID.randomUUID()
                    : UUID.nameUUIDFromBytes((owner.userId() + "\u0000" + idempotencyKey).getBytes(StandardCharsets.UTF_8));
            Uni<Submitted> earlier = idempotencyKey == null ? Uni.createFrom().nullItem() : jobs.find(id).map(found -> found
                    .map(job -> replay(job, fingerprint)).orElse(null));
            return earlier.chain(replayed -> replayed != null ? Uni.createFrom().item(replayed)
                    : limits.admit(owner).chain(allowed -> references(owner, model, complete).chain(() -> holds.place(id, owner.userId(),
                                    owner.tenantId(), quote.costMinor(), quote.currency(), apiKeyId, modelId, holdTtl))
                            .chain(hold -> {
                                Job job = new Job(id, owner.userId(), owner.tenantId(), apiKeyId, modelId, new JsonObject(complete.toString()),
                                        Job.IN_QUEUE, allowed.priority(), hold.id(), quote.currency(), quote.costMinor(), null, quote.quantity(), 0,
                                        maxAttempts, null, null, null, null, null, idempotencyKey, fingerprint, clock.instant(),
                                        null, null, null, null, clock.instant(), webhook == null ? null : webhook.url(),
                                        webhook == null ? List.of() : webhook.events());
                                return jobs.pool().withTransaction(tx -> jobs.insert(tx, job).chain(inserted -> inserted
                                                ? announce(tx, job).replaceWith(true) : Uni.createFrom().item(false)))
                                        .chain(inserted -> inserted
                                                ? jobs.queuePosition(job).map(position -> new Submitted(job, position, false))
                                                : jobs.find(id).map(found -> replay(found.orElseThrow(), fingerprint)));
                            })));
        });
    }

    private Submitted replay(Job job, String fingerprint) {
        if (!job.requestFingerprint().equals(fingerprint)) {
            throw ProblemException.unprocessable("IDEMPOTENCY_KEY_REUSED",
                    "This Idempotency-Key was used for another request; use a new key for a new job.");
        }
        return new Submitted(job, 0, true);
    }

    /**
     * An {@code image_url} that names one of our files must name a live upload of the caller's (422
     * otherwise); a model that edits uploads takes nothing else, and only the pictures it can read.
     */
    private Uni<Void> references(Owner owner, Model model, ObjectNode input) {
        JsonNode url = input.get("image_url");
        if (url == null || !url.isTextual()) {
            return Uni.createFrom().voidItem();
        }
        boolean edits = "image-edit".equals(model.renderer());
        return uploads.referenced(owner, "image_url", url.asText()).map(found -> {
            if (edits && found.map(a -> !a.contentType().equals("image/png") && !a.contentType().equals("image/jpeg")).orElse(true)) {
                throw new ProblemException(422, "INVALID_INPUT", "Invalid input", "The input does not match the schema of "
                        + model.modelId() + ".", List.of(new Problem.FieldError("image_url",
                        "must name a PNG or JPEG upload of yours (its link, or asset:<asset_id>)", "ASSET_NOT_FOUND")), Map.of(), Map.of());
            }
            return null;
        });
    }

    private Uni<Void> announce(SqlClient tx, Job job) {
        return outbox.append(tx, job.id().toString(), "jobs/" + job.id(), new JobSubmitted(job.userId(), job.tenantId(),
                        job.id().toString(), job.holdId(), job.modelId(), job.estimatedCostMinor(), job.currency(), job.apiKeyId(),
                        clock.instant()))
                .chain(() -> outbox.append(tx, job.id().toString(), "jobs/" + job.id(), new JobQueued(job.id().toString(),
                        job.modelId(), job.priority(), clock.instant())))
                .replaceWithVoid();
    }

    /** The caller's job on the model's path; another owner's job, or another model's, is 404. */
    public Uni<Job> job(Owner owner, String modelId, UUID id) {
        return jobs.owned(owner, id).map(found -> found.filter(j -> modelId == null || j.modelId().equals(modelId))
                .orElseThrow(() -> ProblemException.notFound("request")));
    }

    public Uni<Long> queuePosition(Job job) {
        return Job.IN_QUEUE.equals(job.status()) ? jobs.queuePosition(job) : Uni.createFrom().item(0L);
    }

    public Uni<List<Job.Log>> logs(Job job) {
        return jobs.logs(job.id());
    }

    /** What a cancel did: {@code ok} when it ended the queued job; otherwise the status the job is in. */
    public record Cancel(boolean ok, String status) {
    }

    /**
     * Cancels a job that has not started: it ends at once, with {@code job.cancelled} (billing voids
     * its hold). A job that has started runs to its end and is charged then; one that has ended stays
     * as it is. Either way the answer says so ({@code ok: false} and the status).
     */
    public Uni<Cancel> cancel(Owner owner, String modelId, UUID id) {
        return job(owner, modelId, id).chain(job -> jobs.pool().withTransaction(tx -> jobs.cancelQueued(tx, id).chain(cancelled ->
                cancelled ? outbox.append(tx, id.toString(), "jobs/" + id, new JobCancelled(job.userId(), job.tenantId(),
                        id.toString(), job.holdId(), clock.instant())).chain(() -> webhooks.due(tx, job, RequestWebhooks.COMPLETED))
                        .replaceWith(new Cancel(true, Job.CANCELLED))
                        : jobs.status(tx, id).map(status -> new Cancel(false, status)))));
    }

    /**
     * The job once it has ended, or as it is at {@code deadline}: read again after 50 ms, then at
     * longer intervals up to half a second (the worker may be in another instance; the row is where
     * the end is written).
     */
    public Uni<Job> awaitEnd(UUID id, Instant deadline) {
        return awaitEnd(id, deadline, Duration.ofMillis(50));
    }

    private Uni<Job> awaitEnd(UUID id, Instant deadline, Duration delay) {
        return jobs.find(id).map(Optional::orElseThrow).chain(job -> {
            Duration left = Duration.between(clock.instant(), deadline);
            if (job.terminal() || left.isNegative() || left.isZero()) {
                return Uni.createFrom().item(job);
            }
            Duration wait = delay.compareTo(left) < 0 ? delay : left;
            Duration next = delay.multipliedBy(2).compareTo(MAX_POLL) < 0 ? delay.multipliedBy(2) : MAX_POLL;
            return Uni.createFrom().voidItem().onItem().delayIt().by(wait).chain(() -> awaitEnd(id, deadline, next));
        });
    }

    /**
     * The job as it changes, read every {@code every} until it has ended (the end included): a row
     * is passed on when its status, progress or update time moved, and at least every
     * {@code heartbeat} even when nothing did, so that a quiet stream is seen to be alive.
     */
    public Multi<Job> watch(UUID id, Duration every, Duration heartbeat) {
        AtomicReference<Job> last = new AtomicReference<>();
        AtomicLong lastSent = new AtomicLong();
        return Multi.createBy().repeating().uni(() -> jobs.find(id).map(Optional::orElseThrow)).withDelay(every)
                .whilst(job -> !job.terminal())
                .select().where(job -> {
                    Job before = last.get();
                    long now = System.nanoTime();
                    boolean moved = before == null || job.terminal() || !before.status().equals(job.status())
                            || !java.util.Objects.equals(before.progress(), job.progress())
                            || !java.util.Objects.equals(before.updatedAt(), job.updatedAt());
                    if (moved || now - lastSent.get() >= heartbeat.toNanos()) {
                        last.set(job);
                        lastSent.set(now);
                        return true;
                    }
                    return false;
                });
    }

    public Uni<Page<Job>> list(Owner owner, String status, String modelId, PageRequest page) {
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.validation("status", "must be one of " + String.join(", ", STATUSES.stream().sorted().toList()));
        }
        return jobs.page(owner, status, modelId, page).map(slice -> Page.of(slice.rows(), page, slice.total()));
    }
}
