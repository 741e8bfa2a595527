package io.tollgate.identity.auth;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.Owner;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The {@code login_history} table; a user reads their own attempts through their {@link Owner}. */
@ApplicationScoped
public class LoginHistoryRepository {

    // $3 null for every attempt, else only the successful (true) or failed (false) ones.
    private static final String OWNED = " from login_history where user_id = $1 and tenant_id = $2"
            + " and ($3::boolean is null or success = $3)";

    private final Pool pool;

    public LoginHistoryRepository(Pool pool) {
        this.pool = pool;
    }

    /** One page of attempts, with the count of all that match. */
    public record Slice(List<LoginRecord> rows, long total) {
    }

    /** Records an attempt; tenant and user are null for an unknown account. */
    public Uni<Void> insert(UUID tenantId, UUID userId, String email, boolean success, String errorCode, ClientInfo client,
                            Instant at) {
        return pool.preparedQuery("insert into login_history (tenant_id, user_id, email, success, error_code, ip_address,"
                        + " user_agent, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)")
                .execute(Tuple.from(new Object[] {tenantId, userId, email, success, errorCode, client.ip(), client.userAgent(),
                        at.atOffset(ZoneOffset.UTC)}))
                .replaceWithVoid();
    }

    /** The owner's attempts, newest first. */
    public Uni<Slice> page(Owner owner, Boolean success, PageRequest page) {
        return pool.preparedQuery("select count(*)" + OWNED).execute(Tuple.of(owner.userId(), owner.tenantId(), success))
                .map(rows -> rows.iterator().next().getLong(0))
                .chain(total -> pool.preparedQuery("select " + LoginRecord.COLUMNS + OWNED + " order by created_at desc, id desc"
                                + " limit $4 offset $5")
                        .execute(Tuple.of(owner.userId(), owner.tenantId(), success, page.size(), page.offset()))
                        .map(rows -> {
                            List<LoginRecord> records = new ArrayList<>();
                            rows.forEach(row -> records.add(LoginRecord.from(row)));
                            return new Slice(records, total);
                        }));
    }
}
