package io.tollgate.kit.db;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgPool;
import io.vertx.sqlclient.Pool;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The services' PostgreSQL pool, as Quarkus would build it, except that a connection also keeps
 * long statements prepared: the client caches only statements up to 2,048 characters by default,
 * and the statements that move money in one round trip (a hold with its journal, postings, event
 * and balance checks) are longer. Uncached, PostgreSQL parsed and planned them on every call.
 * {@code quarkus.datasource.reactive.cache-prepared-statements} switches the cache itself on.
 */
@Singleton
public class StatementCachingPool implements PgPoolCreator {

    private final int sqlLimit;

    public StatementCachingPool(
            @ConfigProperty(name = "tollgate.db.prepared-statement-cache-sql-limit", defaultValue = "16384") int sqlLimit) {
        this.sqlLimit = sqlLimit;
    }

    @Override
    @SuppressWarnings("deprecation") // Quarkus expects a PgPool from a creator
    public Pool create(Input input) {
        input.pgConnectOptionsList().forEach(options -> options.setPreparedStatementCacheSqlLimit(sqlLimit));
        return PgPool.pool(input.vertx(), input.pgConnectOptionsList(), input.poolOptions());
    }
}
