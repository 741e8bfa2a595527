package io.tollgate.contracts.proxy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/**
 * The traffic one port carried in one metering window. Billing charges it against the user's
 * traffic allowance (shared or private); the event id makes each window count once.
 */
@EventType(value = TrafficMetered.TYPE, topic = "proxy.events")
public record TrafficMetered(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("port_id") String portId,
        @JsonProperty("is_private") boolean isPrivate,
        @JsonProperty("bytes_in") long bytesIn,
        @JsonProperty("bytes_out") long bytesOut,
        @JsonProperty("window_start") Instant windowStart,
        @JsonProperty("window_end") Instant windowEnd) {

    public static final String TYPE = "tollgate.proxy.traffic.metered.v1";
}
