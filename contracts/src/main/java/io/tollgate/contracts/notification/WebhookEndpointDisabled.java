package io.tollgate.contracts.notification;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/**
 * An outgoing webhook endpoint was switched off by the platform: the receiver answered 410 Gone,
 * or every attempt failed for five days. {@code user_id} is null for a tenant's own endpoint.
 */
@EventType(value = WebhookEndpointDisabled.TYPE, topic = "notification.events")
public record WebhookEndpointDisabled(
        @JsonProperty("endpoint_id") UUID endpointId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("url") String url,
        @JsonProperty("reason") String reason,
        @JsonProperty("consecutive_failures") int consecutiveFailures,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.notification.webhook.endpoint_disabled.v1";

    public static final String REASON_GONE = "gone";
    public static final String REASON_FAILING = "failing";
}
