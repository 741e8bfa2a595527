package io.tollgate.contracts.billing;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A user's traffic allowance (shared or private) ran out: what was used beyond it is overage_bytes. Proxy stops the user's ports of that kind. */
@EventType(value = AllowanceExhausted.TYPE, topic = "billing.events")
public record AllowanceExhausted(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("resource") String resource,
        @JsonProperty("overage_bytes") long overageBytes,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.billing.allowance.exhausted.v1";
}
