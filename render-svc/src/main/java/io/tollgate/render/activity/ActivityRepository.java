package io.tollgate.render.activity;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.Owner;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The {@code activity} table, read with each row's job: a submit's status, error code and credits
 * are its job's outcome (charged when completed, held while running, nothing when it failed or was
 * cancelled, nothing for a replay).
 */
@ApplicationScoped
public class ActivityRepository {

    /** One call as listed. */
    public record Entry(UUID id, UUID requestId, String modelId, String operation, long creditsMinor, String currency, String status,
                        String errorCode, UUID apiKeyId, int durationMs, boolean replayed, Instant createdAt) {
        static Entry from(Row r) {
            OffsetDateTime at = r.getOffsetDateTime("created_at");
            return new Entry(r.getUUID("id"), r.getUUID("job_id"), r.getString("model_id"), r.getString("operation"),
                    r.getLong("credits_minor"), r.getString("currency") == null ? null : r.getString("currency").trim(),
                    r.getString("status"), r.getString("error_code"), r.getUUID("api_key_id"), r.getInteger("duration_ms"),
                    r.getBoolean("replayed"), at.toInstant());
        }
    }

    /** What is written for one call. */
    public record Call(UUID userId, UUID tenantId, UUID apiKeyId, UUID jobId, String modelId, String operation, String status,
                       String errorCode, int durationMs, boolean replayed) {
    }

    public record Slice(List<Entry> rows, long total) {
    }

    private static final String VIEW = """
            select * from (
              select a.id, a.job_id, a.model_id, a.operation, a.api_key_id, a.duration_ms, a.replayed, a.created_at, a.user_id,
                     a.tenant_id, j.currency,
                     case when a.operation in ('submit', 'run') and j.status in ('FAILED', 'CANCELLED') then 'error'
                          else a.status end as status,
                     case when a.operation in ('submit', 'run') and j.status = 'FAILED' then coalesce(j.error_code, 'render_error')
                          when a.operation in ('submit', 'run') and j.status = 'CANCELLED' then 'cancelled'
                          else a.error_code end as error_code,
                     case when a.operation in ('submit', 'run') and a.status = 'success' and not a.replayed then
                            case j.status when 'COMPLETED' then j.cost_minor when 'IN_QUEUE' then j.estimated_cost_minor
                                          when 'IN_PROGRESS' then j.estimated_cost_minor else 0 end
                          else 0 end as credits_minor
                from activity a left join jobs j on j.id = a.job_id) v
            """;

    private final Pool pool;

    public ActivityRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> insert(Call c) {
        return pool.preparedQuery("insert into activity (id, user_id, tenant_id, api_key_id, job_id, model_id, operation, status,"
                        + " error_code, duration_ms, replayed) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .execute(Tuple.from(new Object[] {UUID.randomUUID(), c.userId(), c.tenantId(), c.apiKeyId(), c.jobId(), c.modelId(),
                        c.operation(), c.status(), c.errorCode(), c.durationMs(), c.replayed()}))
                .replaceWithVoid();
    }

    /** $1 user, $2 tenant, $3 model, $4 key, $5 operation, $6 status; null means any. */
    public Uni<Slice> page(Owner owner, String modelId, UUID apiKeyId, String operation, String status, PageRequest page) {
        String where = " where v.user_id = $1 and v.tenant_id = $2 and ($3::text is null or v.model_id = $3)"
                + " and ($4::uuid is null or v.api_key_id = $4) and ($5::text is null or v.operation = $5)"
                + " and ($6::text is null or v.status = $6)";
        Object[] args = {owner.userId(), owner.tenantId(), modelId, apiKeyId, operation, status};
        return pool.preparedQuery("select count(*) from (" + VIEW + where + ") c").execute(Tuple.from(args))
                .map(rows -> rows.iterator().next().getLong(0))
                .chain(total -> pool.preparedQuery(VIEW + where + " order by v.created_at desc, v.id limit $7 offset $8")
                        .execute(Tuple.from(new Object[] {args[0], args[1], args[2], args[3], args[4], args[5], page.size(),
                                page.offset()}))
                        .map(rows -> new Slice(list(rows), total)));
    }

    /** Every call on one of the owner's jobs, oldest first. */
    public Uni<List<Entry>> ofJob(Owner owner, UUID jobId) {
        return pool.preparedQuery(VIEW + " where v.user_id = $1 and v.tenant_id = $2 and v.job_id = $3 order by v.created_at, v.id")
                .execute(Tuple.of(owner.userId(), owner.tenantId(), jobId)).map(ActivityRepository::list);
    }

    /** Forgets calls older than {@code before}, at most {@code limit} of them; returns how many. */
    public Uni<Integer> deleteBefore(Instant before, int limit) {
        return pool.preparedQuery("delete from activity where id in (select id from activity where created_at < $1 limit $2)")
                .execute(Tuple.of(OffsetDateTime.ofInstant(before, java.time.ZoneOffset.UTC), limit)).map(RowSet::rowCount);
    }

    private static List<Entry> list(RowSet<Row> rows) {
        List<Entry> out = new ArrayList<>();
        rows.forEach(r -> out.add(Entry.from(r)));
        return out;
    }
}
