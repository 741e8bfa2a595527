package io.tollgate.contracts.billing;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/**
 * The used share of a user's traffic allowance of one kind reached 50, 80 or 100 percent; each level
 * fires once per crossing, in order, and a purchase that brings the share back below a level re-arms it.
 * {@code allowance_bytes} is all traffic of that kind granted so far, {@code used_bytes} what of it was used.
 */
@EventType(value = TrafficThresholdCrossed.TYPE, topic = "billing.events")
public record TrafficThresholdCrossed(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("resource") String resource,
        @JsonProperty("percent") int percent,
        @JsonProperty("used_bytes") long usedBytes,
        @JsonProperty("allowance_bytes") long allowanceBytes,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.billing.traffic.threshold_crossed.v1";
}
