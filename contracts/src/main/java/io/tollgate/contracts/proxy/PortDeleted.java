package io.tollgate.contracts.proxy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A user deleted a port: its slot is free again and its credentials stop working. */
@EventType(value = PortDeleted.TYPE, topic = "proxy.events")
public record PortDeleted(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("port_id") UUID portId,
        @JsonProperty("name") String name,
        @JsonProperty("country") String country,
        @JsonProperty("is_private") boolean isPrivate,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.proxy.port.deleted.v1";
}
