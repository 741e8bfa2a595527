package io.tollgate.render.plans;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.util.UUID;

/** A user's render plan as billing last announced it; {@link #from} is the one mapping of its row. */
public record PlanLimit(UUID userId, UUID tenantId, UUID subscriptionId, String planCode, int parallelRenders, int rendersQuota,
                        Instant periodStart, Instant periodEnd) {

    static final String COLUMNS = "user_id, tenant_id, subscription_id, plan_code, parallel_renders, renders_quota, period_start, period_end";

    static PlanLimit from(Row r) {
        return new PlanLimit(r.getUUID("user_id"), r.getUUID("tenant_id"), r.getUUID("subscription_id"), r.getString("plan_code"),
                r.getInteger("parallel_renders"), r.getInteger("renders_quota"), r.getOffsetDateTime("period_start").toInstant(),
                r.getOffsetDateTime("period_end").toInstant());
    }
}
