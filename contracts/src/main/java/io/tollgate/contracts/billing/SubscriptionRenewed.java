package io.tollgate.contracts.billing;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A plan was paid for another period (reason started or renewed), with the quotas the period brings; render-svc resets its counters from it. */
@EventType(value = SubscriptionRenewed.TYPE, topic = "billing.events")
public record SubscriptionRenewed(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("subscription_id") UUID subscriptionId,
        @JsonProperty("plan_code") String planCode,
        @JsonProperty("reason") String reason,
        @JsonProperty("price_minor") long priceMinor,
        @JsonProperty("currency") String currency,
        @JsonProperty("period_start") Instant periodStart,
        @JsonProperty("period_end") Instant periodEnd,
        @JsonProperty("monthly_renders_quota") int monthlyRendersQuota,
        @JsonProperty("seconds_charge") int secondsCharge,
        @JsonProperty("parallel_renders") int parallelRenders,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.billing.subscription.renewed.v1";
}
