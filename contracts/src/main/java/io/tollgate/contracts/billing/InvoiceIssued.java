package io.tollgate.contracts.billing;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** An invoice was issued (for a payment or a purchase); its PDF is at /v1/billing/invoices/{id}/pdf. */
@EventType(value = InvoiceIssued.TYPE, topic = "billing.events")
public record InvoiceIssued(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("invoice_id") UUID invoiceId,
        @JsonProperty("number") String number,
        @JsonProperty("total_minor") long totalMinor,
        @JsonProperty("currency") String currency,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.billing.invoice.issued.v1";
}
