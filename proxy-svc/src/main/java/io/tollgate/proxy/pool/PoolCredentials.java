package io.tollgate.proxy.pool;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.security.Owner;
import io.tollgate.proxy.ports.Passwords;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A user's pool credentials: {@code tg_<user>} and a password made on first read, which the user
 * may change; the password is sealed bound to the user (it is shown again on every read).
 */
@ApplicationScoped
public class PoolCredentials {

    /** The credentials, opened. */
    public record Credentials(String username, String password) {
    }

    private static final String ENSURE = """
            insert into pool_credentials (user_id, tenant_id, username, password_sealed) values ($1, $2, $3, $4)
            on conflict (user_id) do nothing""";

    private final Pool pool;
    private final Passwords passwords;

    public PoolCredentials(Pool pool, Passwords passwords) {
        this.pool = pool;
        this.passwords = passwords;
    }

    public Uni<Credentials> get(Owner owner) {
        String username = "tg_" + owner.userId().toString().replace("-", "");
        return pool.preparedQuery(ENSURE).execute(Tuple.of(owner.userId(), owner.tenantId(), username,
                        passwords.seal(Passwords.generate(), context(owner))))
                .chain(() -> read(owner));
    }

    public Uni<Credentials> change(Owner owner, String password) {
        return get(owner).chain(() -> pool.preparedQuery("update pool_credentials set password_sealed = $3, updated_at = now()"
                        + " where user_id = $1 and tenant_id = $2")
                .execute(Tuple.of(owner.userId(), owner.tenantId(), passwords.seal(password, context(owner)))))
                .chain(() -> read(owner));
    }

    private Uni<Credentials> read(Owner owner) {
        return pool.preparedQuery("select username, password_sealed from pool_credentials where user_id = $1 and tenant_id = $2")
                .execute(Tuple.of(owner.userId(), owner.tenantId())).map(rows -> {
                    Row r = rows.iterator().next();
                    return new Credentials(r.getString("username"), passwords.open(r.getString("password_sealed"), context(owner)));
                });
    }

    private static String context(Owner owner) {
        return "pool:" + owner.userId();
    }
}
