package io.tollgate.contracts.identity;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

@EventType(value = SessionRevoked.TYPE, topic = "identity.events")
public record SessionRevoked(
        @JsonProperty("session_id") UUID sessionId,
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("reason") String reason,
        @JsonProperty("revoked_at") Instant revokedAt) {

    public static final String TYPE = "tollgate.identity.session.revoked.v1";
}
