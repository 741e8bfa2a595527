package io.tollgate.contracts.proxy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A user's new port: where it is and until when it runs. It holds one of the user's slots of its kind. */
@EventType(value = PortCreated.TYPE, topic = "proxy.events")
public record PortCreated(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("port_id") UUID portId,
        @JsonProperty("name") String name,
        @JsonProperty("display_name") String displayName,
        @JsonProperty("country") String country,
        @JsonProperty("city") String city,
        @JsonProperty("carrier") String carrier,
        @JsonProperty("is_private") boolean isPrivate,
        @JsonProperty("exclusive") boolean exclusive,
        @JsonProperty("expires_at") Instant expiresAt,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.proxy.port.created.v1";
}
