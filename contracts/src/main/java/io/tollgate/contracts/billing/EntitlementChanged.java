package io.tollgate.contracts.billing;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/**
 * What a user may use of the proxy product changed: a purchase added traffic or port slots (the
 * new totals are given, so a consumer needs no history). {@code purchase_id} names the cause.
 */
@EventType(value = EntitlementChanged.TYPE, topic = "billing.events")
public record EntitlementChanged(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("purchase_id") UUID purchaseId,
        @JsonProperty("resource") String resource,
        @JsonProperty("is_private") boolean isPrivate,
        @JsonProperty("amount") int amount,
        @JsonProperty("traffic_shared_bytes") long trafficSharedBytes,
        @JsonProperty("traffic_private_bytes") long trafficPrivateBytes,
        @JsonProperty("slots_shared") int slotsShared,
        @JsonProperty("slots_private") int slotsPrivate,
        @JsonProperty("tier") String tier,
        @JsonProperty("shared_slot_limit") int sharedSlotLimit,
        @JsonProperty("private_slot_limit") int privateSlotLimit,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.billing.entitlement.changed.v1";
}
