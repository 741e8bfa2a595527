package io.tollgate.proxy.ports;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.Owner;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code processes} table. A running process is worked under a lease: {@link #claim} takes it
 * when nobody holds it (a new one, or one whose worker stopped renewing), and every step of the
 * worker locks the row by its lease ({@link #held}), so a worker whose lease was taken over stops
 * at its next step instead of working beside the new one.
 */
@ApplicationScoped
public class ProcessRepository {

    /** Where a running process stands, read under its row lock. */
    public record Progress(String status, int total, int completed, int failed) {
        int next() {
            return completed + failed;
        }
    }

    public record Slice(List<BulkProcess> rows, long total) {
    }

    private static final String COLUMNS = """
            id, user_id, tenant_id, type, status, message, request, metadata, total, completed, failed, ports, errors,
            started_at, finished_at, updated_at""";
    private static final String INSERT = """
            insert into processes (id, user_id, tenant_id, type, status, message, request, metadata, total, started_at, updated_at)
            values ($1, $2, $3, $4, 'running', $5, $6, $7, $8, $9, $9)""";
    private static final String CLAIM = """
            update processes set lease_id = $2, locked_until = now() + make_interval(secs => $3)
            where id = $1 and status = 'running' and (locked_until is null or locked_until < now())
            returning\s""" + COLUMNS;
    private static final String CLAIMABLE = """
            select id from processes where status = 'running' and (locked_until is null or locked_until < now())
            order by started_at limit $1""";
    private static final String MADE = """
            update processes set completed = completed + 1, ports = ports || jsonb_build_array($2::jsonb),
                   locked_until = now() + make_interval(secs => $3), updated_at = now()
            where id = $1""";
    private static final String ITEM_FAILED = """
            update processes set failed = failed + 1, errors = errors || jsonb_build_array($2::jsonb),
                   locked_until = now() + make_interval(secs => $3), updated_at = now()
            where id = $1""";
    private static final String FINISH = """
            update processes set status = $2, message = $3, finished_at = now(), updated_at = now(), lease_id = null, locked_until = null
            where id = $1 and status = 'running'""";

    private final Pool pool;

    public ProcessRepository(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    public Uni<Void> insert(SqlClient tx, BulkProcess p) {
        return tx.preparedQuery(INSERT).execute(Tuple.from(new Object[] {p.id(), p.userId(), p.tenantId(), p.type(), p.message(),
                p.request(), p.metadata(), p.total(), PortRepository.utc(p.startedAt())})).replaceWithVoid();
    }

    /** Takes the running process {@code id} under {@code lease} when nobody holds it; empty otherwise. */
    public Uni<Optional<BulkProcess>> claim(UUID id, UUID lease, Duration ttl) {
        return pool.preparedQuery(CLAIM).execute(Tuple.of(id, lease, seconds(ttl))).map(ProcessRepository::first);
    }

    /** Running processes that nobody holds: never started, or left by a worker that stopped. */
    public Uni<List<UUID>> claimable(int limit) {
        return pool.preparedQuery(CLAIMABLE).execute(Tuple.of(limit)).map(rows -> {
            List<UUID> ids = new ArrayList<>();
            rows.forEach(r -> ids.add(r.getUUID("id")));
            return ids;
        });
    }

    /** Locks the process for one step, if {@code lease} still holds it; empty when another worker took it over. */
    public Uni<Optional<Progress>> held(SqlClient tx, UUID id, UUID lease) {
        return tx.preparedQuery("select status, total, completed, failed from processes where id = $1 and lease_id = $2 for update")
                .execute(Tuple.of(id, lease))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next()).map(r -> new Progress(
                        r.getString("status"), r.getInteger("total"), r.getInteger("completed"), r.getInteger("failed"))));
    }

    /** Counts one port made (and renews the lease), in the transaction that made it. */
    public Uni<Void> made(SqlClient tx, UUID id, JsonObject port, Duration ttl) {
        return tx.preparedQuery(MADE).execute(Tuple.of(id, port, seconds(ttl))).replaceWithVoid();
    }

    /** Counts one item that could not be made, with its reason (and renews the lease). */
    public Uni<Void> itemFailed(SqlClient tx, UUID id, JsonObject error, Duration ttl) {
        return tx.preparedQuery(ITEM_FAILED).execute(Tuple.of(id, error, seconds(ttl))).replaceWithVoid();
    }

    /** Ends a running process as {@code status}; a process that already ended is left as it is. */
    public Uni<Boolean> finish(SqlClient tx, UUID id, String status, String message) {
        return tx.preparedQuery(FINISH).execute(Tuple.of(id, status, message)).map(rows -> rows.rowCount() == 1);
    }

    /** The owner's process; another owner's is empty. */
    public Uni<Optional<BulkProcess>> owned(SqlClient c, Owner owner, UUID id, boolean lock) {
        return c.preparedQuery("select " + COLUMNS + " from processes where id = $1 and user_id = $2 and tenant_id = $3"
                        + (lock ? " for update" : ""))
                .execute(Tuple.of(id, owner.userId(), owner.tenantId())).map(ProcessRepository::first);
    }

    /** The owner's processes, newest first, optionally of one status. */
    public Uni<Slice> page(Owner owner, String status, PageRequest page) {
        String where = " from processes where user_id = $1 and tenant_id = $2 and ($3::text is null or status = $3)";
        return pool.preparedQuery("select count(*)" + where).execute(Tuple.of(owner.userId(), owner.tenantId(), status))
                .map(rows -> rows.iterator().next().getLong(0))
                .chain(total -> pool.preparedQuery("select " + COLUMNS + where + " order by started_at desc, id limit $4 offset $5")
                        .execute(Tuple.from(new Object[] {owner.userId(), owner.tenantId(), status, page.size(), page.offset()}))
                        .map(rows -> {
                            List<BulkProcess> list = new ArrayList<>();
                            rows.forEach(r -> list.add(process(r)));
                            return new Slice(list, total);
                        }));
    }

    /** The country's name, for a process's message. */
    public Uni<String> countryName(String code) {
        return pool.preparedQuery("select name from countries where code = $1").execute(Tuple.of(code))
                .map(rows -> rows.size() == 0 ? code : rows.iterator().next().getString("name"));
    }

    private static Optional<BulkProcess> first(RowSet<Row> rows) {
        return rows.size() == 0 ? Optional.empty() : Optional.of(process(rows.iterator().next()));
    }

    private static BulkProcess process(Row r) {
        return new BulkProcess(r.getUUID("id"), r.getUUID("user_id"), r.getUUID("tenant_id"), r.getString("type"), r.getString("status"),
                r.getString("message"), (JsonObject) r.getValue("request"), (JsonObject) r.getValue("metadata"), r.getInteger("total"),
                r.getInteger("completed"), r.getInteger("failed"), (JsonArray) r.getValue("ports"), (JsonArray) r.getValue("errors"),
                instant(r, "started_at"), instant(r, "finished_at"), instant(r, "updated_at"));
    }

    private static Instant instant(Row r, String column) {
        var at = r.getOffsetDateTime(column);
        return at == null ? null : at.toInstant();
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
