package io.tollgate.contracts.identity;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

@EventType(value = UserBanned.TYPE, topic = "identity.events")
public record UserBanned(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("reason") String reason,
        @JsonProperty("unblock_date") Instant unblockDate,
        @JsonProperty("by_user_id") String byUserId,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.identity.user.banned.v1";
}
