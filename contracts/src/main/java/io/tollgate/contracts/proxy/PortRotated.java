package io.tollgate.contracts.proxy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/**
 * A port got a new public address: moved to another device (device_switch) or its device asked
 * its network for a new one (airplane_mode). Credentials and expiry stay as they were.
 */
@EventType(value = PortRotated.TYPE, topic = "proxy.events")
public record PortRotated(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("port_id") UUID portId,
        @JsonProperty("name") String name,
        @JsonProperty("country") String country,
        @JsonProperty("old_device_id") UUID oldDeviceId,
        @JsonProperty("new_device_id") UUID newDeviceId,
        @JsonProperty("old_ip") String oldIp,
        @JsonProperty("new_ip") String newIp,
        @JsonProperty("trigger_type") String triggerType,
        @JsonProperty("rotation_type") String rotationType,
        @JsonProperty("rotation_count") int rotationCount,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.proxy.port.rotated.v1";
}
