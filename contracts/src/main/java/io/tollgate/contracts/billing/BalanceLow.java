package io.tollgate.contracts.billing;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A wallet's available balance fell below one of its owner's alert thresholds; it fires once per crossing. */
@EventType(value = BalanceLow.TYPE, topic = "billing.events")
public record BalanceLow(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("currency") String currency,
        @JsonProperty("available_minor") long availableMinor,
        @JsonProperty("threshold_minor") long thresholdMinor,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.billing.balance.low.v1";
}
