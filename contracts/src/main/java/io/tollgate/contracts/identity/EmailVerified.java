package io.tollgate.contracts.identity;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

@EventType(value = EmailVerified.TYPE, topic = "identity.events")
public record EmailVerified(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("email") String email,
        @JsonProperty("full_name") String fullName,
        @JsonProperty("verified_at") Instant verifiedAt) {

    public static final String TYPE = "tollgate.identity.user.email_verified.v1";
}
