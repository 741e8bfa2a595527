package io.tollgate.contracts.identity;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

@EventType(value = VerificationRequested.TYPE, topic = "identity.events")
public record VerificationRequested(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("email") String email,
        @JsonProperty("full_name") String fullName,
        @JsonProperty("locale") String locale,
        /** The link token and code, sealed for notification-svc ({@code EventSeal}): {@code {"token": ..., "code": ...}}. */
        @JsonProperty("sealed") String sealed,
        @JsonProperty("expires_at") Instant expiresAt) {

    public static final String TYPE = "tollgate.identity.user.verification_requested.v1";
}
