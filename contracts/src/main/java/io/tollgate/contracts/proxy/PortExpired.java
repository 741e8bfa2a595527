package io.tollgate.contracts.proxy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A port's time ran out: it stopped, and its slot and its place on the device are free again. */
@EventType(value = PortExpired.TYPE, topic = "proxy.events")
public record PortExpired(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("port_id") UUID portId,
        @JsonProperty("name") String name,
        @JsonProperty("country") String country,
        @JsonProperty("is_private") boolean isPrivate,
        @JsonProperty("expires_at") Instant expiresAt,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.proxy.port.expired.v1";
}
