package io.tollgate.render.assets;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The {@code assets} table. */
@ApplicationScoped
public class AssetRepository {

    private final Pool pool;

    public AssetRepository(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    public Uni<Void> insert(SqlClient client, Asset a) {
        return client.preparedQuery("insert into assets (" + Asset.COLUMNS + ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
                        + " $12, $13, $14)")
                .execute(Tuple.from(new Object[] {a.id(), a.userId(), a.tenantId(), a.jobId(), a.kind(), a.contentType(), a.sizeBytes(),
                        a.sha256(), a.width(), a.height(), a.durationMs(), a.storageKey(), a.createdAt().atOffset(ZoneOffset.UTC),
                        a.expiresAt().atOffset(ZoneOffset.UTC)}))
                .replaceWithVoid();
    }

    /** An asset that has not expired. */
    public Uni<Optional<Asset>> live(UUID id, Instant now) {
        return pool.preparedQuery("select " + Asset.COLUMNS + " from assets where id = $1 and expires_at > $2")
                .execute(Tuple.of(id, now.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    for (Row r : rows) {
                        return Optional.of(Asset.from(r));
                    }
                    return Optional.empty();
                });
    }

    public Uni<List<Asset>> ofJob(UUID jobId) {
        return pool.preparedQuery("select " + Asset.COLUMNS + " from assets where job_id = $1 order by created_at, id")
                .execute(Tuple.of(jobId)).map(rows -> {
                    List<Asset> out = new ArrayList<>();
                    rows.forEach(r -> out.add(Asset.from(r)));
                    return out;
                });
    }

    /** Expired assets, oldest first, to delete with their files. */
    public Uni<List<Asset>> expired(Instant now, int limit) {
        return pool.preparedQuery("select " + Asset.COLUMNS + " from assets where expires_at <= $1 order by expires_at limit $2")
                .execute(Tuple.of(now.atOffset(ZoneOffset.UTC), limit)).map(rows -> {
                    List<Asset> out = new ArrayList<>();
                    rows.forEach(r -> out.add(Asset.from(r)));
                    return out;
                });
    }

    public Uni<Void> delete(UUID id) {
        return pool.preparedQuery("delete from assets where id = $1").execute(Tuple.of(id)).replaceWithVoid();
    }
}
