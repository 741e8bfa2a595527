package io.tollgate.contracts.billing;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A hold was captured, in full or in part; the rest went back to the available balance. */
@EventType(value = HoldCaptured.TYPE, topic = "billing.events")
public record HoldCaptured(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("hold_id") UUID holdId,
        @JsonProperty("captured_minor") long capturedMinor,
        @JsonProperty("released_minor") long releasedMinor,
        @JsonProperty("currency") String currency,
        @JsonProperty("service") String service,
        @JsonProperty("reference") String reference,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.billing.hold.captured.v1";
}
