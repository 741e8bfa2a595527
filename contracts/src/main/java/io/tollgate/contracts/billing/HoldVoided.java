package io.tollgate.contracts.billing;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A hold was voided or expired; its whole amount went back to the available balance. */
@EventType(value = HoldVoided.TYPE, topic = "billing.events")
public record HoldVoided(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("hold_id") UUID holdId,
        @JsonProperty("released_minor") long releasedMinor,
        @JsonProperty("currency") String currency,
        @JsonProperty("service") String service,
        @JsonProperty("reference") String reference,
        @JsonProperty("reason") String reason,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.billing.hold.voided.v1";
}
