package io.tollgate.render.jobs;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.render.JobFailed;
import io.tollgate.contracts.render.JobQueued;
import io.tollgate.kit.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;

/**
 * Jobs whose worker stopped renewing its lease (killed, stuck, cut off): each goes back to the queue
 * while it has attempts left, and otherwise fails, with its event, in one transaction. A worker that comes back finds its lease void and changes
 * nothing, so a job is never settled twice.
 */
@ApplicationScoped
public class JobSweeper {

    private final JobRepository jobs;
    private final JobWorker worker;
    private final Outbox outbox;
    private final RequestWebhooks webhooks;
    private final Clock clock;

    public JobSweeper(JobRepository jobs, JobWorker worker, Outbox outbox, RequestWebhooks webhooks, Clock clock) {
        this.jobs = jobs;
        this.worker = worker;
        this.outbox = outbox;
        this.webhooks = webhooks;
        this.clock = clock;
    }

    @Scheduled(identity = "render-lease-sweep", every = "${tollgate.render.workers.sweep:5s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return sweepOnce().invoke(n -> {
            if (n > 0) {
                worker.nudge();
            }
        }).replaceWithVoid();
    }

    /** Settles the lapsed jobs found now; returns how many. */
    public Uni<Integer> sweepOnce() {
        return jobs.pool().withTransaction(tx -> jobs.lapsed(tx, 100)
                .onItem().transformToMulti(list -> Multi.createFrom().iterable(list))
                .onItem().transformToUniAndConcatenate(job -> {
                    String next = job.attempts() < job.maxAttempts() ? Job.IN_QUEUE : Job.FAILED;
                    Object event = Job.IN_QUEUE.equals(next)
                            ? new JobQueued(job.id().toString(), job.modelId(), job.priority(), clock.instant())
                            : new JobFailed(job.userId(), job.tenantId(), job.id().toString(), job.holdId(),
                                    "the worker stopped answering " + job.attempts() + " time(s)", job.modelId(), clock.instant());
                    return jobs.settleLapsed(tx, job.id(), next, "worker lease lapsed")
                            .chain(() -> outbox.append(tx, job.id().toString(), "jobs/" + job.id(), event))
                            .chain(() -> Job.FAILED.equals(next) ? webhooks.due(tx, job, RequestWebhooks.COMPLETED)
                                    : Uni.createFrom().voidItem())
                            .replaceWith(job);
                })
                .collect().asList().map(list -> list.size()));
    }
}
