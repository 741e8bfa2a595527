package io.tollgate.contracts.billing;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A top-up payment failed or was cancelled at its provider; nothing was credited. */
@EventType(value = PaymentFailed.TYPE, topic = "billing.events")
public record PaymentFailed(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("payment_id") UUID paymentId,
        @JsonProperty("provider") String provider,
        @JsonProperty("amount_minor") long amountMinor,
        @JsonProperty("currency") String currency,
        @JsonProperty("reason") String reason,
        @JsonProperty("trigger") String trigger,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.billing.payment.failed.v1";
}
