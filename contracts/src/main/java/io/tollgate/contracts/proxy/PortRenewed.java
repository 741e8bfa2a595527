package io.tollgate.contracts.proxy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** Auto-renewal kept a port: billing charged the balance for {@code days} more and the port's end moved. */
@EventType(value = PortRenewed.TYPE, topic = "proxy.events")
public record PortRenewed(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("port_id") UUID portId,
        @JsonProperty("name") String name,
        @JsonProperty("display_name") String displayName,
        @JsonProperty("country") String country,
        @JsonProperty("is_private") boolean isPrivate,
        @JsonProperty("days") int days,
        @JsonProperty("previous_expires_at") Instant previousExpiresAt,
        @JsonProperty("expires_at") Instant expiresAt,
        @JsonProperty("charged_minor") long chargedMinor,
        @JsonProperty("currency") String currency,
        @JsonProperty("renewal_id") UUID renewalId,
        @JsonProperty("total_auto_renewals") int totalAutoRenewals,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.proxy.port.renewed.v1";
}
