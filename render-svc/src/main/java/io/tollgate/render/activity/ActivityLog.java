package io.tollgate.render.activity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Principal;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Writes a caller's render calls to the activity log as they end: the operation, how long it took,
 * and for a refused one (402, 404, 409, 422, 429, 502) its error code. The row is written after
 * the answer is known and is not part of the call's transaction: a log that cannot be written is
 * logged and the call still answers. Rows older than {@code tollgate.render.activity.retention}
 * are forgotten. Status polls are the hottest read: a successful one is written at most once per
 * {@code tollgate.render.activity.status-interval} (10 s) per request and key in each instance, so
 * a client polling every 250 ms costs one row, not forty; refusals are always written.
 */
@ApplicationScoped
public class ActivityLog {

    private static final Logger LOG = Logger.getLogger(ActivityLog.class);
    private static final Set<Integer> RECORDED = Set.of(402, 404, 409, 422, 429, 502);

    private final ActivityRepository activity;
    private final Clock clock;
    private final Duration retention;
    private final Cache<String, Boolean> recentStatus;

    public ActivityLog(ActivityRepository activity, Clock clock,
                       @ConfigProperty(name = "tollgate.render.activity.retention", defaultValue = "P30D") Duration retention,
                       @ConfigProperty(name = "tollgate.render.activity.status-interval", defaultValue = "PT10S") Duration statusInterval) {
        this.activity = activity;
        this.clock = clock;
        this.retention = retention;
        this.recentStatus = Caffeine.newBuilder().expireAfterWrite(statusInterval).maximumSize(200_000).build();
    }

    /**
     * Runs {@code work} and records it: on success with the job {@code jobOf} names (and whether it
     * was a replay), on a recorded refusal with {@code knownJob} (null for a 404: the id is not the caller's).
     */
    public <T> Uni<T> record(Principal caller, String modelId, String operation, UUID knownJob, Function<T, UUID> jobOf,
                             Predicate<T> replayed, Supplier<Uni<T>> work) {
        long started = System.nanoTime();
        return Uni.createFrom().<T>deferred(work::get)
                .call(item -> write(caller, modelId, operation, jobOf.apply(item), "success", null, started, replayed.test(item)))
                .onFailure(ProblemException.class).call(failure -> {
                    ProblemException problem = (ProblemException) failure;
                    if (!RECORDED.contains(problem.status())) {
                        return Uni.createFrom().voidItem();
                    }
                    return write(caller, modelId, operation, problem.status() == 404 ? null : knownJob, "error", problem.code(), started,
                            false);
                });
    }

    /** As {@link #record} for a call on one job named by the path. */
    public <T> Uni<T> onJob(Principal caller, String modelId, String operation, UUID jobId, Supplier<Uni<T>> work) {
        return record(caller, modelId, operation, jobId, item -> jobId, item -> false, work);
    }

    private Uni<Void> write(Principal caller, String modelId, String operation, UUID jobId, String status, String code, long started,
                            boolean replayed) {
        if ("status".equals(operation) && "success".equals(status) && jobId != null
                && recentStatus.asMap().putIfAbsent(jobId + "/" + caller.apiKeyId(), Boolean.TRUE) != null) {
            return Uni.createFrom().voidItem();
        }
        int millis = (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - started) / 1_000_000);
        String model = modelId.length() > 200 ? modelId.substring(0, 200) : modelId;
        return activity.insert(new ActivityRepository.Call(caller.owner().userId(), caller.owner().tenantId(), caller.apiKeyId(), jobId,
                        model, operation, status, code, millis, replayed))
                .onFailure().recoverWithUni(e -> {
                    LOG.warnf("the activity log did not take a %s call: %s", operation, e.toString());
                    return Uni.createFrom().voidItem();
                });
    }

    @Scheduled(identity = "render-activity-retention", every = "${tollgate.render.activity.sweep:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> forget() {
        return activity.deleteBefore(clock.instant().minus(retention), 10_000).invoke(n -> {
            if (n > 0) {
                LOG.infof("forgot %d activity row(s) older than %s", n, retention);
            }
        }).replaceWithVoid();
    }
}
