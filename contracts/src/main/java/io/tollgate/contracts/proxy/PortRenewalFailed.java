package io.tollgate.contracts.proxy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/**
 * An auto-renewal attempt was refused by billing ({@code reason}, e.g. {@code INSUFFICIENT_BALANCE}
 * with what was required and available); the port keeps its end. {@code willRetry} says whether
 * another attempt comes at {@code nextAttemptAt}; after {@code maxAttempts} the port expires as usual.
 */
@EventType(value = PortRenewalFailed.TYPE, topic = "proxy.events")
public record PortRenewalFailed(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("port_id") UUID portId,
        @JsonProperty("name") String name,
        @JsonProperty("display_name") String displayName,
        @JsonProperty("country") String country,
        @JsonProperty("is_private") boolean isPrivate,
        @JsonProperty("days") int days,
        @JsonProperty("expires_at") Instant expiresAt,
        @JsonProperty("reason") String reason,
        @JsonProperty("required_minor") Long requiredMinor,
        @JsonProperty("available_minor") Long availableMinor,
        @JsonProperty("currency") String currency,
        @JsonProperty("failed_attempts") int failedAttempts,
        @JsonProperty("max_attempts") int maxAttempts,
        @JsonProperty("will_retry") boolean willRetry,
        @JsonProperty("next_attempt_at") Instant nextAttemptAt,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.proxy.port.renewal_failed.v1";
}
