package io.tollgate.render.plans;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.security.Owner;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

/** The {@code render_plans} table: one row per user with a current plan. */
@ApplicationScoped
public class PlanRepository {

    // the latest announcement wins; an older one read late changes nothing
    private static final String UPSERT = """
            insert into render_plans (user_id, tenant_id, subscription_id, plan_code, parallel_renders, renders_quota, period_start,
                                      period_end, as_of, updated_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
            on conflict (user_id) do update set tenant_id = excluded.tenant_id, subscription_id = excluded.subscription_id,
                   plan_code = excluded.plan_code, parallel_renders = excluded.parallel_renders, renders_quota = excluded.renders_quota,
                   period_start = excluded.period_start, period_end = excluded.period_end, as_of = excluded.as_of, updated_at = now()
            where render_plans.as_of <= excluded.as_of""";

    private final Pool pool;

    public PlanRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> upsert(SqlClient tx, PlanLimit plan, Instant asOf) {
        return tx.preparedQuery(UPSERT).execute(Tuple.from(new Object[] {plan.userId(), plan.tenantId(), plan.subscriptionId(),
                plan.planCode(), plan.parallelRenders(), plan.rendersQuota(), plan.periodStart().atOffset(ZoneOffset.UTC),
                plan.periodEnd().atOffset(ZoneOffset.UTC), asOf.atOffset(ZoneOffset.UTC)})).replaceWithVoid();
    }

    /** Ends the plan of {@code subscriptionId} (a newer subscription's row stays). */
    public Uni<Void> end(SqlClient tx, UUID userId, UUID subscriptionId, Instant asOf) {
        return tx.preparedQuery("delete from render_plans where user_id = $1 and subscription_id = $2 and as_of <= $3")
                .execute(Tuple.of(userId, subscriptionId, asOf.atOffset(ZoneOffset.UTC))).replaceWithVoid();
    }

    /** The owner's plan while its period runs. */
    public Uni<Optional<PlanLimit>> current(Owner owner, Instant now) {
        return pool.preparedQuery("select " + PlanLimit.COLUMNS + " from render_plans where user_id = $1 and tenant_id = $2"
                        + " and period_end > $3")
                .execute(Tuple.of(owner.userId(), owner.tenantId(), now.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    for (var row : rows) {
                        return Optional.of(PlanLimit.from(row));
                    }
                    return Optional.empty();
                });
    }
}
