package io.tollgate.contracts.proxy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A port stopped carrying traffic (its kind's traffic allowance ran out); it keeps its slot, credentials and expiry. */
@EventType(value = PortSuspended.TYPE, topic = "proxy.events")
public record PortSuspended(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("port_id") UUID portId,
        @JsonProperty("name") String name,
        @JsonProperty("is_private") boolean isPrivate,
        @JsonProperty("reason") String reason,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.proxy.port.suspended.v1";
}
