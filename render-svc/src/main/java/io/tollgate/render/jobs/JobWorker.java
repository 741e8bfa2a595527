package io.tollgate.render.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.render.JobCompleted;
import io.tollgate.contracts.render.JobFailed;
import io.tollgate.contracts.render.JobQueued;
import io.tollgate.contracts.render.JobStarted;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.render.assets.Asset;
import io.tollgate.render.assets.AssetRepository;
import io.tollgate.render.assets.AssetStore;
import io.tollgate.render.catalog.Model;
import io.tollgate.render.catalog.ModelRepository;
import io.tollgate.render.pricing.Pricing;
import io.tollgate.render.renderers.Renderer;
import io.tollgate.render.renderers.Renderers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs queued jobs: claims the next one under a lease (at most {@code concurrency} at a time in this
 * process, at most {@code parallel-per-user} of one owner's across all workers), renders it on a
 * virtual thread while a heartbeat extends the lease every few seconds and records progress, then
 * ends it in one transaction: the assets, the job's terminal state and its one event (billing
 * captures on {@code job.completed}, voids on {@code job.failed}). A running job is not cancelled:
 * its work is under way and is charged when it completes, as at the seeds' providers. Only the
 * lease holder can end a job, so a worker that was presumed dead and comes back changes nothing.
 * Woken by {@code render.jobs} messages and by its own poll.
 */
@ApplicationScoped
public class JobWorker {

    private static final Logger LOG = Logger.getLogger(JobWorker.class);

    private final JobRepository jobs;
    private final ModelRepository models;
    private final Renderers renderers;
    private final Pricing pricing;
    private final AssetStore store;
    private final AssetRepository assets;
    private final Outbox outbox;
    private final ObjectMapper json;
    private final RequestWebhooks webhooks;
    private final Clock clock;
    private final boolean enabled;
    private final int concurrency;
    private final int parallelPerUser;
    private final Duration lease;
    private final Duration heartbeat;
    private final Duration poll;
    private final Duration retention;
    private final Semaphore slots;
    private final Object wake = new Object();
    private volatile boolean running;
    private ExecutorService executor;
    private Thread loop;

    public JobWorker(JobRepository jobs, ModelRepository models, Renderers renderers, Pricing pricing, AssetStore store,
                     AssetRepository assets, Outbox outbox, ObjectMapper json, RequestWebhooks webhooks, Clock clock,
                     @ConfigProperty(name = "tollgate.render.workers.enabled", defaultValue = "true") boolean enabled,
                     @ConfigProperty(name = "tollgate.render.workers.concurrency", defaultValue = "4") int concurrency,
                     @ConfigProperty(name = "tollgate.render.limits.parallel-per-user", defaultValue = "2") int parallelPerUser,
                     @ConfigProperty(name = "tollgate.render.workers.lease", defaultValue = "PT15S") Duration lease,
                     @ConfigProperty(name = "tollgate.render.workers.heartbeat", defaultValue = "PT2S") Duration heartbeat,
                     @ConfigProperty(name = "tollgate.render.workers.poll", defaultValue = "PT1S") Duration poll,
                     @ConfigProperty(name = "tollgate.render.assets.retention", defaultValue = "P7D") Duration retention) {
        this.jobs = jobs;
        this.models = models;
        this.renderers = renderers;
        this.pricing = pricing;
        this.store = store;
        this.assets = assets;
        this.outbox = outbox;
        this.json = json;
        this.webhooks = webhooks;
        this.clock = clock;
        this.enabled = enabled;
        this.concurrency = concurrency;
        this.parallelPerUser = parallelPerUser;
        this.lease = lease;
        this.heartbeat = heartbeat;
        this.poll = poll;
        this.retention = retention;
        this.slots = new Semaphore(concurrency);
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        running = true;
        executor = Executors.newVirtualThreadPerTaskExecutor();
        loop = Thread.ofPlatform().name("render-worker").daemon().start(this::run);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        nudge();
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /** A job may be waiting: look now instead of at the next poll. */
    public void nudge() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void run() {
        while (running) {
            try {
                // every free slot at once: one claim fills them all
                slots.acquire();
                int free = 1 + slots.drainPermits();
                List<Job> claimed;
                try {
                    claimed = claim(free);
                } catch (RuntimeException e) {
                    slots.release(free);
                    LOG.warnf("claiming jobs failed: %s", e.toString());
                    idle();
                    continue;
                }
                if (free > claimed.size()) {
                    slots.release(free - claimed.size());
                }
                if (claimed.isEmpty()) {
                    idle();
                    continue;
                }
                for (Job job : claimed) {
                    executor.submit(() -> {
                        try {
                            process(job);
                        } finally {
                            slots.release();
                            nudge();
                        }
                    });
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.errorf(e, "render worker loop");
            }
        }
    }

    private void idle() throws InterruptedException {
        synchronized (wake) {
            wake.wait(poll.toMillis());
        }
    }

    /** Claims up to {@code limit} jobs and writes each one's {@code job.started} with them. */
    List<Job> claim(int limit) {
        return jobs.pool().withTransaction(tx -> jobs.claimSome(tx, parallelPerUser, lease, null, limit).call(found -> {
                    Uni<Void> started = Uni.createFrom().voidItem();
                    for (Job job : found) {
                        started = started.chain(() -> outbox.append(tx, job.id().toString(), "jobs/" + job.id(), new JobStarted(job.userId(),
                                job.tenantId(), job.id().toString(), job.modelId(), job.attempts(), clock.instant()))
                                .chain(() -> webhooks.due(tx, job, RequestWebhooks.START)));
                    }
                    return started;
                }))
                .await().atMost(Duration.ofSeconds(10));
    }

    /** Renders one claimed job and ends it; every path ends in exactly one terminal write (or a re-queue). */
    void process(Job job) {
        AtomicBoolean lost = new AtomicBoolean(false);
        JsonObject[] progress = {null};
        long[] logsSent = {0};
        // a platform thread: renders are CPU-bound virtual threads, and on a small machine they can hold
        // every carrier long enough for a virtual heartbeat to miss the lease
        Thread beat = Thread.ofPlatform().daemon().name("render-heartbeat-" + job.id()).start(() -> {
            while (!Thread.currentThread().isInterrupted() && !lost.get()) {
                try {
                    Thread.sleep(heartbeat.toMillis());
                    if (!jobs.heartbeat(job.id(), job.leaseId(), lease, progress[0]).await().atMost(Duration.ofSeconds(10))) {
                        lost.set(true);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warnf("heartbeat of job %s failed: %s", job.id(), e.toString());
                }
            }
        });
        try {
            Model model = models.visible(job.modelId()).await().atMost(Duration.ofSeconds(10))
                    .orElseThrow(() -> new Renderer.Failed("model_unavailable", "model " + job.modelId() + " is gone or its provider is disabled",
                            false));
            Renderer renderer = renderers.named(model.renderer())
                    .orElseThrow(() -> new Renderer.Failed("no_renderer", "no renderer " + model.renderer(), false));
            ObjectNode input = (ObjectNode) json.readTree(job.input().encode());
            Renderer.Rendered rendered = renderer.render(model, input, new Renderer.Progress() {
                @Override
                public UUID jobId() {
                    return job.id();
                }

                @Override
                public Optional<String> providerRequest() {
                    return jobs.providerRequest(job.id()).await().atMost(Duration.ofSeconds(10));
                }

                @Override
                public void providerRequest(String requestId) {
                    if (!jobs.recordProviderRequest(job.id(), job.leaseId(), requestId).await().atMost(Duration.ofSeconds(10))) {
                        lost.set(true);
                        throw new Renderer.Cancelled();
                    }
                }

                @Override
                public void step(int step, int total, String message) {
                    progress[0] = new JsonObject().put("step", step).put("total", total)
                            .put("percent", total == 0 ? 100 : step * 100 / total).put("message", message);
                    logsWebhook(job, progress[0], logsSent, lost);
                }

                @Override
                public void log(String level, String message) {
                    jobs.log(job.id(), level, message).await().atMost(Duration.ofSeconds(10));
                    logsWebhook(job, progress[0], logsSent, lost);
                }

                @Override
                public boolean cancelled() {
                    // the lease went to another worker: stop, and leave the job to it
                    return lost.get();
                }
            });
            if (!lost.get()) {
                completed(job, model, rendered, progress[0]);
            }
        } catch (Renderer.Cancelled e) {
            LOG.infof("job %s: the lease was lost, another worker has it", job.id());
        } catch (Renderer.Failed e) {
            LOG.warnf("job %s failed on attempt %d (%s%s): %s", job.id(), job.attempts(), e.code(), e.retryable() ? ", retryable" : "",
                    e.getMessage());
            if (!lost.get()) {
                failed(job, e.getMessage(), e.code(), e.retryable());
            }
        } catch (Exception e) {
            LOG.warnf("job %s failed on attempt %d: %s", job.id(), job.attempts(), e.toString());
            if (!lost.get()) {
                failed(job, e.getMessage() == null ? e.toString() : e.getMessage(), "render_error", true);
            }
        } finally {
            beat.interrupt();
        }
    }

    private void completed(Job job, Model model, Renderer.Rendered rendered, JsonObject last) throws Exception {
        // what was produced is what is charged, never more than was held (an overestimate is released)
        long cost = Math.min(pricing.quote(model, rendered.quantity()).costMinor(), job.estimatedCostMinor());
        List<Asset> stored = new ArrayList<>();
        JsonArray files = new JsonArray();
        for (Renderer.File file : rendered.files()) {
            UUID id = UUID.randomUUID();
            String key = store.put(id, file.bytes());
            Asset asset = new Asset(id, job.userId(), job.tenantId(), job.id(), "output", file.contentType(), file.bytes().length,
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file.bytes())), file.width(), file.height(),
                    file.durationMs(), key, clock.instant(), clock.instant().plus(retention));
            stored.add(asset);
            files.add(new JsonObject().put("asset_id", id.toString()).put("content_type", file.contentType())
                    .put("width", file.width()).put("height", file.height()).put("duration_ms", file.durationMs()));
        }
        JsonObject output = new JsonObject().put("files", files);
        int steps = last == null ? 1 : Math.max(1, last.getInteger("total", 1));
        JsonObject finished = new JsonObject().put("step", steps).put("total", steps).put("percent", 100).put("message", "completed");
        boolean done = jobs.pool().withTransaction(tx -> {
            Uni<Void> inserts = Uni.createFrom().voidItem();
            for (Asset asset : stored) {
                inserts = inserts.chain(() -> assets.insert(tx, asset));
            }
            return inserts.chain(() -> jobs.complete(tx, job.id(), job.leaseId(), cost, rendered.quantity(), output, finished))
                    .call(ok -> ok ? outbox.append(tx, job.id().toString(), "jobs/" + job.id(), new JobCompleted(job.userId(),
                            job.tenantId(), job.id().toString(), job.holdId(), cost, job.currency(), job.modelId(), job.apiKeyId(),
                            clock.instant())).chain(() -> webhooks.dueAll(tx, job, RequestWebhooks.OUTPUT, RequestWebhooks.COMPLETED))
                            : Uni.createFrom().voidItem())
                    .invoke(ok -> {
                        if (!ok) {
                            // the lease is gone: roll the assets back with it
                            throw new LeaseLost();
                        }
                    });
        }).onFailure(LeaseLost.class).recoverWithItem(false).await().atMost(Duration.ofSeconds(30));
        if (!done) {
            stored.forEach(asset -> store.delete(asset.storageKey()));
        }
    }

    /**
     * Ends a job as FAILED, with its event, or re-queues it when the failure may pass and it has
     * attempts left (a job that already ran at a provider resumes its request there).
     */
    private void failed(Job job, String error, String code, boolean retryable) {
        boolean retry = retryable && job.attempts() < job.maxAttempts();
        String next = retry ? Job.IN_QUEUE : Job.FAILED;
        jobs.pool().withTransaction(tx -> jobs.release(tx, job.id(), job.leaseId(), next, truncate(error), code).call(ok -> {
            if (!ok) {
                return Uni.createFrom().voidItem();
            }
            Object event = retry
                    ? new JobQueued(job.id().toString(), job.modelId(), job.priority(), clock.instant())
                    : new JobFailed(job.userId(), job.tenantId(), job.id().toString(), job.holdId(), truncate(error), job.modelId(),
                            clock.instant());
            return outbox.append(tx, job.id().toString(), "jobs/" + job.id(), event)
                    .chain(() -> retry ? Uni.createFrom().voidItem() : webhooks.due(tx, job, RequestWebhooks.COMPLETED));
        })).await().atMost(Duration.ofSeconds(30));
    }

    /**
     * The request's {@code logs} webhook, when it asked for one and the last went 500 ms ago or more:
     * the progress is written first (with the lease's renewal), so the webhook shows what the job shows.
     */
    private void logsWebhook(Job job, JsonObject progress, long[] lastSent, AtomicBoolean lost) {
        long now = clock.millis();
        if (!job.wantsWebhook(RequestWebhooks.LOGS) || !RequestWebhooks.throttleAllows(lastSent[0], now)) {
            return;
        }
        if (!jobs.heartbeat(job.id(), job.leaseId(), lease, progress).await().atMost(Duration.ofSeconds(10))) {
            lost.set(true);
            return;
        }
        jobs.pool().withTransaction(tx -> webhooks.due(tx, job, RequestWebhooks.LOGS)).await().atMost(Duration.ofSeconds(10));
        // counted from when it was written, so two webhooks are never closer than the interval
        lastSent[0] = clock.millis();
    }

    static String truncate(String error) {
        return error.length() > 500 ? error.substring(0, 500) : error;
    }

    /** Whether the worker runs here. */
    public boolean enabled() {
        return enabled;
    }

    /** Waits until no job runs in this process (tests use this). */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        if (!slots.tryAcquire(concurrency, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return false;
        }
        slots.release(concurrency);
        return true;
    }

    private static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super("lease lost", null, false, false);
        }
    }
}
