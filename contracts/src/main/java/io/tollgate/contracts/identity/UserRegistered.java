package io.tollgate.contracts.identity;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

@EventType(value = UserRegistered.TYPE, topic = "identity.events")
public record UserRegistered(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("email") String email,
        @JsonProperty("full_name") String fullName,
        @JsonProperty("currency") String currency,
        @JsonProperty("locale") String locale,
        @JsonProperty("registered_at") Instant registeredAt) {

    public static final String TYPE = "tollgate.identity.user.registered.v1";
}
