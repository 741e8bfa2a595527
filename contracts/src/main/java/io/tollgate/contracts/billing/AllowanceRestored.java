package io.tollgate.contracts.billing;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A purchase gave traffic back to a user whose allowance of that kind had run out. Proxy resumes the user's ports of that kind. */
@EventType(value = AllowanceRestored.TYPE, topic = "billing.events")
public record AllowanceRestored(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("resource") String resource,
        @JsonProperty("available_bytes") long availableBytes,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.billing.allowance.restored.v1";
}
