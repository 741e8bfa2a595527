package io.tollgate.render.jobs;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.Owner;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The {@code jobs} table and its logs. A caller's jobs are read by {@link Owner}; a worker's writes
 * count only under the lease it holds ({@code lease_id}), so a worker that lost its job (it was too
 * slow, or presumed dead and the job handed on) changes nothing when it comes back.
 */
@ApplicationScoped
public class JobRepository {

    private final Pool pool;

    public JobRepository(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    /** A new job; false when a job with this id exists already (the same Idempotency-Key, racing). */
    public Uni<Boolean> insert(SqlClient tx, Job j) {
        return tx.preparedQuery("insert into jobs (id, user_id, tenant_id, api_key_id, model_id, input, status, priority, hold_id,"
                        + " currency, estimated_cost_minor, quantity, max_attempts, idempotency_key, request_fingerprint, created_at,"
                        + " updated_at, webhook_url, webhook_events)"
                        + " values ($1, $2, $3, $4, $5, $6, 'IN_QUEUE', $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17)"
                        + " on conflict (id) do nothing")
                .execute(Tuple.from(new Object[] {j.id(), j.userId(), j.tenantId(), j.apiKeyId(), j.modelId(), j.input(), j.priority(),
                        j.holdId(), j.currency(), j.estimatedCostMinor(), j.quantity(), j.maxAttempts(), j.idempotencyKey(),
                        j.requestFingerprint(), utc(j.createdAt()), j.webhookUrl(),
                        j.webhookUrl() == null ? null : j.webhookEvents().toArray(String[]::new)}))
                .map(rows -> rows.rowCount() == 1);
    }

    public Uni<Optional<Job>> find(UUID id) {
        return pool.preparedQuery("select " + Job.COLUMNS + " from jobs where id = $1").execute(Tuple.of(id)).map(JobRepository::first);
    }

    public Uni<Optional<Job>> owned(Owner owner, UUID id) {
        return pool.preparedQuery("select " + Job.COLUMNS + " from jobs where id = $1 and user_id = $2 and tenant_id = $3")
                .execute(Tuple.of(id, owner.userId(), owner.tenantId())).map(JobRepository::first);
    }

    /** How many queued jobs run before this one (priority first, then age). */
    public Uni<Long> queuePosition(Job job) {
        return pool.preparedQuery("select count(*) from jobs where status = 'IN_QUEUE' and (priority > $1 or (priority = $1"
                        + " and (created_at, id) < ($2, $3)))")
                .execute(Tuple.of(job.priority(), utc(job.createdAt()), job.id())).map(rows -> rows.iterator().next().getLong(0));
    }

    public record Slice(List<Job> rows, long total) {
    }

    public Uni<Slice> page(Owner owner, String status, String modelId, PageRequest page) {
        String where = " from jobs where user_id = $1 and tenant_id = $2 and ($3::text is null or status = $3)"
                + " and ($4::text is null or model_id = $4)";
        return pool.preparedQuery("select count(*)" + where).execute(Tuple.of(owner.userId(), owner.tenantId(), status, modelId))
                .map(rows -> rows.iterator().next().getLong(0))
                .chain(total -> pool.preparedQuery("select " + Job.COLUMNS + where + " order by created_at desc, id limit $5 offset $6")
                        .execute(Tuple.from(new Object[] {owner.userId(), owner.tenantId(), status, modelId, page.size(), page.offset()}))
                        .map(rows -> new Slice(all(rows, Job::from), total)));
    }

    /** The job as the transaction sees it. */
    public Uni<Optional<Job>> find(SqlClient tx, UUID id) {
        return tx.preparedQuery("select " + Job.COLUMNS + " from jobs where id = $1").execute(Tuple.of(id)).map(JobRepository::first);
    }

    public Uni<List<Job.Log>> logs(SqlClient tx, UUID jobId) {
        return tx.preparedQuery("select logged_at, level, message from job_logs where job_id = $1 order by seq limit 1000")
                .execute(Tuple.of(jobId)).map(rows -> all(rows, Job.Log::from));
    }

    public Uni<List<Job.Log>> logs(UUID jobId) {
        return pool.preparedQuery("select logged_at, level, message from job_logs where job_id = $1 order by seq limit 1000")
                .execute(Tuple.of(jobId)).map(rows -> all(rows, Job.Log::from));
    }

    public Uni<Void> log(UUID jobId, String level, String message) {
        return pool.preparedQuery("insert into job_logs (job_id, level, message) values ($1, $2, $3)")
                .execute(Tuple.of(jobId, level, message.length() > 2000 ? message.substring(0, 2000) : message)).replaceWithVoid();
    }

    /**
     * The next queued job a worker may start: highest priority, oldest first, of an owner below its
     * ceiling of running jobs; it becomes this worker's under a fresh lease.
     */
    public Uni<Optional<Job>> claim(SqlClient tx, int parallelPerUser, Duration lease) {
        return claim(tx, parallelPerUser, lease, null);
    }

    /** As {@link #claim(SqlClient, int, Duration)}, of one given job only (null: any). */
    public Uni<Optional<Job>> claim(SqlClient tx, int parallelPerUser, Duration lease, UUID only) {
        return claimSome(tx, parallelPerUser, lease, only, 1).map(list -> list.stream().findFirst());
    }

    /**
     * Up to {@code limit} queued jobs in one statement, in the same order, each owner kept within its
     * ceiling counting the jobs this statement takes: a worker with free slots fills them in one round
     * trip instead of one claim each.
     */
    public Uni<List<Job>> claimSome(SqlClient tx, int parallelPerUser, Duration lease, UUID only, int limit) {
        // Claims take turns (a lock held to the end of the claiming transaction): two workers locking
        // different jobs of one owner would each count the same running jobs and together pass its
        // ceiling. A claim is one short statement, so the turns cost little.
        return tx.query(CLAIM_TURN).execute().chain(() -> tx.preparedQuery("""
                        with locked as (
                            select j.id, j.user_id, j.priority, j.created_at,
                                   (select count(*) from jobs r where r.user_id = j.user_id and r.status = 'IN_PROGRESS') as running,
                                   coalesce((select p.parallel_renders from render_plans p where p.user_id = j.user_id
                                             and p.period_end > now()), $1) as ceiling
                            from jobs j
                            where j.status = 'IN_QUEUE' and ($3::uuid is null or j.id = $3)
                              and (select count(*) from jobs r where r.user_id = j.user_id and r.status = 'IN_PROGRESS')
                                  < coalesce((select p.parallel_renders from render_plans p where p.user_id = j.user_id
                                              and p.period_end > now()), $1)
                            order by j.priority desc, j.created_at, j.id
                            limit $4
                            for update skip locked),
                        next as (
                            select id from (select id, running, ceiling, row_number() over (partition by user_id
                                                order by priority desc, created_at, id) as taken from locked) ranked
                            where running + taken <= ceiling)
                        update jobs set status = 'IN_PROGRESS', attempts = attempts + 1, lease_id = gen_random_uuid(),
                               locked_until = now() + make_interval(secs => $2), started_at = coalesce(started_at, now()),
                               progress = null, updated_at = now()
                        from next where jobs.id = next.id
                        returning\s""" + prefixed())
                .execute(Tuple.of(parallelPerUser, (double) lease.toMillis() / 1000, only, limit)))
                .map(rows -> all(rows, Job::from));
    }

    /** The claims' turn: one advisory lock of the render database. */
    private static final String CLAIM_TURN = "select pg_advisory_xact_lock(hashtext('render:claim'))";

    /** Extends the lease and records progress; false when the lease is no longer this worker's. */
    public Uni<Boolean> heartbeat(UUID id, UUID leaseId, Duration lease, JsonObject progress) {
        return pool.preparedQuery("update jobs set locked_until = now() + make_interval(secs => $3),"
                        + " progress = coalesce($4, progress), updated_at = now()"
                        + " where id = $1 and lease_id = $2 and status = 'IN_PROGRESS'")
                .execute(Tuple.of(id, leaseId, (double) lease.toMillis() / 1000, progress))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Finishes a running job under its lease; false when the lease was lost (nothing changed). */
    public Uni<Boolean> complete(SqlClient tx, UUID id, UUID leaseId, long costMinor, BigDecimal quantity, JsonObject output,
                                 JsonObject progress) {
        return tx.preparedQuery("update jobs set status = 'COMPLETED', cost_minor = $3, quantity = $4, output = $5, progress = $6,"
                        + " completed_at = now(), lease_id = null, locked_until = null, updated_at = now()"
                        + " where id = $1 and lease_id = $2 and status = 'IN_PROGRESS'")
                .execute(Tuple.of(id, leaseId, costMinor, quantity, output, progress)).map(rows -> rows.rowCount() == 1);
    }

    /** Ends a running job as FAILED or CANCELLED under its lease, or puts it back in the queue; false when the lease was lost. */
    public Uni<Boolean> release(SqlClient tx, UUID id, UUID leaseId, String status, String error, String errorCode) {
        return tx.preparedQuery("update jobs set status = $3, error = $4, error_code = $5, lease_id = null, locked_until = null,"
                        + " updated_at = now(), failed_at = case when $3 = 'FAILED' then now() end,"
                        + " cancelled_at = case when $3 = 'CANCELLED' then now() end"
                        + " where id = $1 and lease_id = $2 and status = 'IN_PROGRESS'")
                .execute(Tuple.of(id, leaseId, status, error, errorCode)).map(rows -> rows.rowCount() == 1);
    }

    /** The provider's id for the job's request, recorded by an earlier attempt. */
    public Uni<Optional<String>> providerRequest(UUID id) {
        return pool.preparedQuery("select provider_request_id from jobs where id = $1").execute(Tuple.of(id))
                .map(rows -> {
                    for (Row row : rows) {
                        return Optional.ofNullable(row.getString("provider_request_id"));
                    }
                    return Optional.<String>empty();
                });
    }

    /** Records the provider's id for the job's request under the lease; false when the lease was lost. */
    public Uni<Boolean> recordProviderRequest(UUID id, UUID leaseId, String requestId) {
        return pool.preparedQuery("update jobs set provider_request_id = $3, updated_at = now()"
                        + " where id = $1 and lease_id = $2 and status = 'IN_PROGRESS'")
                .execute(Tuple.of(id, leaseId, requestId)).map(rows -> rows.rowCount() == 1);
    }

    /** Cancels a job that has not started; false when it is not queued (any more). */
    public Uni<Boolean> cancelQueued(SqlClient tx, UUID id) {
        return tx.preparedQuery("update jobs set status = 'CANCELLED', cancelled_at = now(), updated_at = now()"
                        + " where id = $1 and status = 'IN_QUEUE'")
                .execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
    }

    /** The job's status now, read in the caller's transaction. */
    public Uni<String> status(SqlClient tx, UUID id) {
        return tx.preparedQuery("select status from jobs where id = $1").execute(Tuple.of(id))
                .map(rows -> rows.iterator().next().getString("status"));
    }

    /** Running jobs whose lease ran out: their worker is gone or stuck. Locked for the caller's transaction. */
    public Uni<List<Job>> lapsed(SqlClient tx, int limit) {
        return tx.preparedQuery("select " + Job.COLUMNS + " from jobs where status = 'IN_PROGRESS' and locked_until < now()"
                        + " order by locked_until limit $1 for update skip locked")
                .execute(Tuple.of(limit)).map(rows -> all(rows, Job::from));
    }

    /** Ends or re-queues a lapsed job (its lease is void: nobody holds the job). */
    public Uni<Void> settleLapsed(SqlClient tx, UUID id, String status, String error) {
        return tx.preparedQuery("update jobs set status = $2, error = $3, lease_id = null, locked_until = null, updated_at = now(),"
                        + " error_code = case when $2 = 'FAILED' then 'worker_lost' end,"
                        + " failed_at = case when $2 = 'FAILED' then now() end, cancelled_at = case when $2 = 'CANCELLED' then now() end"
                        + " where id = $1 and status = 'IN_PROGRESS'")
                .execute(Tuple.of(id, status, error)).replaceWithVoid();
    }

    /** Jobs started today by the owner (the daily limit). */
    public Uni<Long> submittedSince(Owner owner, Instant since) {
        return pool.preparedQuery("select count(*) from jobs where user_id = $1 and tenant_id = $2 and created_at >= $3")
                .execute(Tuple.of(owner.userId(), owner.tenantId(), utc(since))).map(rows -> rows.iterator().next().getLong(0));
    }

    private static String prefixed() {
        StringBuilder out = new StringBuilder();
        for (String column : Job.COLUMNS.split(",")) {
            out.append(out.isEmpty() ? "" : ", ").append("jobs.").append(column.trim());
        }
        return out.toString();
    }

    private static OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }

    private static Optional<Job> first(RowSet<Row> rows) {
        for (Row row : rows) {
            return Optional.of(Job.from(row));
        }
        return Optional.empty();
    }

    private static <T> List<T> all(RowSet<Row> rows, Function<Row, T> mapper) {
        List<T> out = new ArrayList<>();
        rows.forEach(r -> out.add(mapper.apply(r)));
        return out;
    }
}
