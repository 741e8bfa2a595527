package io.tollgate.render.plans;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.billing.SubscriptionExpired;
import io.tollgate.contracts.billing.SubscriptionRenewed;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventHandler;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;

/**
 * Keeps each user's render plan from billing: {@code subscription.renewed} (started or renewed)
 * sets the period, its quota and the jobs that may run at once; {@code subscription.expired} ends it.
 */
@ApplicationScoped
public class PlanProjection implements EventHandler {

    private final PlanRepository plans;
    private final ObjectMapper json;

    public PlanProjection(PlanRepository plans, ObjectMapper json) {
        this.plans = plans;
        this.json = json;
    }

    @Override
    public String consumer() {
        return "render.plans";
    }

    @Override
    public Set<String> topics() {
        return Set.of("billing.events");
    }

    @Override
    public boolean accepts(String type) {
        return SubscriptionRenewed.TYPE.equals(type) || SubscriptionExpired.TYPE.equals(type);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
        if (SubscriptionRenewed.TYPE.equals(event.type())) {
            SubscriptionRenewed s = event.data(json, SubscriptionRenewed.class);
            return plans.upsert(tx, new PlanLimit(s.userId(), s.tenantId(), s.subscriptionId(), s.planCode(), s.parallelRenders(),
                    s.monthlyRendersQuota(), s.periodStart(), s.periodEnd()), s.occurredAt());
        }
        SubscriptionExpired s = event.data(json, SubscriptionExpired.class);
        return plans.end(tx, s.userId(), s.subscriptionId(), s.occurredAt());
    }
}
