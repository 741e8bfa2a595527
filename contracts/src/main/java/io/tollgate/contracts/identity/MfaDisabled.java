package io.tollgate.contracts.identity;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

@EventType(value = MfaDisabled.TYPE, topic = "identity.events")
public record MfaDisabled(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("factor_type") String factorType,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.identity.mfa.disabled.v1";
}
