package io.tollgate.contracts.billing;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A subscription ended at its period end: cancelled by its owner, not set to renew, or its renewal could not be paid (renewal_failed). Its quotas end with it. */
@EventType(value = SubscriptionExpired.TYPE, topic = "billing.events")
public record SubscriptionExpired(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("subscription_id") UUID subscriptionId,
        @JsonProperty("plan_code") String planCode,
        @JsonProperty("reason") String reason,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.billing.subscription.expired.v1";
}
