package io.tollgate.billing.wallets;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** A user's wallet in one currency: read here, changed only by {@link io.tollgate.billing.ledger.Ledger}. */
@Entity
@Table(name = "wallets")
public class Wallet extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "user_id")
    public UUID userId;

    @Column(name = "tenant_id")
    public UUID tenantId;

    public String currency;

    @Column(name = "available_minor")
    public long availableMinor;

    @Column(name = "reserved_minor")
    public long reservedMinor;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
