package io.tollgate.contracts.billing;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.contracts.EventType;

import java.time.Instant;
import java.util.UUID;

/** A user's wallet in one currency was opened (on registration, or lazily on first use). */
@EventType(value = WalletOpened.TYPE, topic = "billing.events")
public record WalletOpened(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("wallet_id") UUID walletId,
        @JsonProperty("currency") String currency,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TYPE = "tollgate.billing.wallet.opened.v1";
}
