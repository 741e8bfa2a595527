package io.tollgate.contracts.identity;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

@EventType(value = PasswordResetRequested.TYPE, topic = "identity.events")
public record PasswordResetRequested(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("email") String email,
        @JsonProperty("full_name") String fullName,
        @JsonProperty("locale") String locale,
        /** The token, sealed for notification-svc ({@code EventSeal}): {@code {"token": ...}}. */
        @JsonProperty("sealed") String sealed,
        @JsonProperty("expires_at") Instant expiresAt) {

    public static final String TYPE = "tollgate.identity.user.password_reset_requested.v1";
}
