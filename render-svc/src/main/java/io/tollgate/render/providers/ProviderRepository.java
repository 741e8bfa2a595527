package io.tollgate.render.providers;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The {@code providers} table. */
@ApplicationScoped
public class ProviderRepository {

    private final Pool pool;

    public ProviderRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<Provider>> all() {
        return pool.query("select " + Provider.COLUMNS + " from providers order by priority, name").execute()
                .map(ProviderRepository::list);
    }

    public Uni<Optional<Provider>> find(UUID id) {
        return pool.preparedQuery("select " + Provider.COLUMNS + " from providers where id = $1").execute(Tuple.of(id))
                .map(ProviderRepository::first);
    }

    public Uni<Optional<Provider>> named(String name) {
        return pool.preparedQuery("select " + Provider.COLUMNS + " from providers where name = $1").execute(Tuple.of(name))
                .map(ProviderRepository::first);
    }

    /** Inserts; empty when the name is taken. */
    public Uni<Optional<Provider>> insert(Provider p) {
        return pool.preparedQuery("insert into providers (" + Provider.COLUMNS + ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), now())"
                        + " on conflict (name) do nothing returning " + Provider.COLUMNS)
                .execute(Tuple.from(new Object[] {p.id(), p.name(), p.type(), p.displayName(), p.baseUrl(), p.apiKeySealed(), p.enabled(),
                        p.priority(), p.callbackJwksUrl(), p.catalogUrl()}))
                .map(ProviderRepository::first);
    }

    /** Writes every field but id, name and type; empty when the provider is gone. */
    public Uni<Optional<Provider>> update(Provider p) {
        return pool.preparedQuery("update providers set display_name = $2, base_url = $3, api_key_sealed = $4, enabled = $5,"
                        + " priority = $6, callback_jwks_url = $7, catalog_url = $8, updated_at = now() where id = $1 returning " + Provider.COLUMNS)
                .execute(Tuple.from(new Object[] {p.id(), p.displayName(), p.baseUrl(), p.apiKeySealed(), p.enabled(), p.priority(),
                        p.callbackJwksUrl(), p.catalogUrl()}))
                .map(ProviderRepository::first);
    }

    /** The configured provider as the deployment declares it: created, or brought in line with the configuration. */
    public Uni<Void> declare(Provider p) {
        return pool.preparedQuery("insert into providers (" + Provider.COLUMNS + ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), now())"
                        + " on conflict (name) do update set type = excluded.type, display_name = excluded.display_name,"
                        + " base_url = excluded.base_url, api_key_sealed = excluded.api_key_sealed, enabled = excluded.enabled,"
                        + " priority = excluded.priority, callback_jwks_url = excluded.callback_jwks_url,"
                        + " catalog_url = excluded.catalog_url, updated_at = now()")
                .execute(Tuple.from(new Object[] {p.id(), p.name(), p.type(), p.displayName(), p.baseUrl(), p.apiKeySealed(), p.enabled(),
                        p.priority(), p.callbackJwksUrl(), p.catalogUrl()}))
                .replaceWithVoid();
    }

    /** Deletes a provider no model names; false when a model still does or it is gone. */
    public Uni<Boolean> deleteUnused(UUID id) {
        return pool.preparedQuery("delete from providers p where id = $1 and not exists (select 1 from models m where m.provider = p.name)")
                .execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
    }

    /** How many models name the provider. */
    public Uni<Long> models(String name) {
        return pool.preparedQuery("select count(*) from models where provider = $1").execute(Tuple.of(name))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    private static List<Provider> list(RowSet<Row> rows) {
        List<Provider> out = new ArrayList<>();
        rows.forEach(r -> out.add(Provider.from(r)));
        return out;
    }

    private static Optional<Provider> first(RowSet<Row> rows) {
        for (Row row : rows) {
            return Optional.of(Provider.from(row));
        }
        return Optional.empty();
    }
}
