package io.tollgate.notification.inapp;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.Owner;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The {@code notifications} table. Every read and change of a user's rows is scoped by its {@link Owner}. */
@ApplicationScoped
public class NotificationRepository {

    private static final String OWNED = " where user_id = $1 and tenant_id = $2";

    private final Pool pool;

    public NotificationRepository(Pool pool) {
        this.pool = pool;
    }

    /** One page, newest first, with the owner's count of that filter and of unread ones. */
    public record Slice(List<Notification> rows, long total, long unread) {
    }

    public Uni<Slice> page(Owner owner, boolean unreadOnly, PageRequest page) {
        String filter = OWNED + (unreadOnly ? " and read_at is null" : "");
        return pool.preparedQuery("select " + Notification.COLUMNS + ", count(*) over () as total,"
                        + " (select count(*) from notifications" + OWNED + " and read_at is null) as unread"
                        + " from notifications" + filter + " order by created_at desc, id limit $3 offset $4")
                .execute(Tuple.of(owner.userId(), owner.tenantId(), page.size(), page.offset()))
                .chain(rows -> {
                    List<Notification> list = new ArrayList<>();
                    long total = -1;
                    long unread = -1;
                    for (var row : rows) {
                        list.add(Notification.from(row));
                        total = row.getLong("total");
                        unread = row.getLong("unread");
                    }
                    if (total >= 0) {
                        return Uni.createFrom().item(new Slice(list, total, unread));
                    }
                    // past the last page: the window function saw no rows, so count separately
                    return count(owner, unreadOnly).chain(all -> unreadCount(owner).map(u -> new Slice(list, all, u)));
                });
    }

    private Uni<Long> count(Owner owner, boolean unreadOnly) {
        return pool.preparedQuery("select count(*) from notifications" + OWNED + (unreadOnly ? " and read_at is null" : ""))
                .execute(Tuple.of(owner.userId(), owner.tenantId())).map(rows -> rows.iterator().next().getLong(0));
    }

    public Uni<Long> unreadCount(Owner owner) {
        return count(owner, true);
    }

    /** Marks one read (keeping the first time it was read); empty when the owner has no such notification. */
    public Uni<Optional<Notification>> markRead(Owner owner, UUID id, Instant at) {
        return pool.preparedQuery("update notifications set read_at = coalesce(read_at, $4)" + OWNED + " and id = $3"
                        + " returning " + Notification.COLUMNS)
                .execute(Tuple.of(owner.userId(), owner.tenantId(), id, utc(at)))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Notification.from(rows.iterator().next())));
    }

    public Uni<Integer> markAllRead(Owner owner, Instant at) {
        return pool.preparedQuery("update notifications set read_at = $3" + OWNED + " and read_at is null")
                .execute(Tuple.of(owner.userId(), owner.tenantId(), utc(at))).map(rows -> rows.rowCount());
    }

    public Uni<Integer> deleteAll(Owner owner) {
        return pool.preparedQuery("delete from notifications" + OWNED).execute(Tuple.of(owner.userId(), owner.tenantId()))
                .map(rows -> rows.rowCount());
    }

    public Uni<Boolean> delete(Owner owner, UUID id) {
        return pool.preparedQuery("delete from notifications" + OWNED + " and id = $3")
                .execute(Tuple.of(owner.userId(), owner.tenantId(), id)).map(rows -> rows.rowCount() == 1);
    }

    /** Inserts through {@code client} (the consumer's transaction); a notice for an event already noted is skipped. */
    public Uni<Void> insert(SqlClient client, Notification n) {
        return client.preparedQuery("insert into notifications (" + Notification.COLUMNS + ")"
                        + " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) on conflict (source_event) do nothing")
                .execute(Tuple.from(new Object[] {n.id(), n.userId(), n.tenantId(), n.category(), n.severity(), n.title(),
                        n.body(), n.actionUrl(), n.actionLabel(), n.sourceEvent(), utc(n.readAt()), utc(n.createdAt())}))
                .replaceWithVoid();
    }

    private static OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }
}
