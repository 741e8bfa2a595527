package io.tollgate.contracts.identity;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

@EventType(value = TenantUpdated.TYPE, topic = "identity.events")
public record TenantUpdated(
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("slug") String slug,
        @JsonProperty("name") String name,
        @JsonProperty("status") String status,
        @JsonProperty("currency") String currency,
        @JsonProperty("allowed_origins") List<String> allowedOrigins,
        @JsonProperty("custom_domain") String customDomain,
        @JsonProperty("branding") Map<String, Object> branding,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.identity.tenant.updated.v1";
}
