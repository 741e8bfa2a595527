package io.tollgate.contracts.proxy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A port ends within a day (said once per port): time to extend or renew it. */
@EventType(value = PortExpiring.TYPE, topic = "proxy.events")
public record PortExpiring(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("port_id") UUID portId,
        @JsonProperty("name") String name,
        @JsonProperty("display_name") String displayName,
        @JsonProperty("country") String country,
        @JsonProperty("is_private") boolean isPrivate,
        @JsonProperty("expires_at") Instant expiresAt,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.proxy.port.expiring.v1";
}
