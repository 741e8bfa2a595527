package io.tollgate.contracts.identity;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

@EventType(value = ApiKeyCreated.TYPE, topic = "identity.events")
public record ApiKeyCreated(
        @JsonProperty("key_id") UUID keyId,
        @JsonProperty("key_prefix") String keyPrefix,
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("scopes") List<String> scopes,
        @JsonProperty("reason") String reason,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.identity.apikey.created.v1";
}
