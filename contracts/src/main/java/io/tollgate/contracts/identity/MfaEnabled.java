package io.tollgate.contracts.identity;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

@EventType(value = MfaEnabled.TYPE, topic = "identity.events")
public record MfaEnabled(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("factor_type") String factorType,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.identity.mfa.enabled.v1";
}
