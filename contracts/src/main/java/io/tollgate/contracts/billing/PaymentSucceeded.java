package io.tollgate.contracts.billing;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A top-up payment succeeded at its provider and the wallet was credited exactly once. */
@EventType(value = PaymentSucceeded.TYPE, topic = "billing.events")
public record PaymentSucceeded(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("payment_id") UUID paymentId,
        @JsonProperty("provider") String provider,
        @JsonProperty("provider_payment_id") String providerPaymentId,
        @JsonProperty("amount_minor") long amountMinor,
        @JsonProperty("currency") String currency,
        @JsonProperty("credited_minor") long creditedMinor,
        @JsonProperty("invoice_id") UUID invoiceId,
        @JsonProperty("trigger") String trigger,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.billing.payment.succeeded.v1";
}
