package io.tollgate.identity.sessions;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

@Entity
@Table(name = "sessions")
public class Session extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "user_id")
    public UUID userId;
    @Column(name = "tenant_id")
    public UUID tenantId;
    @Column(name = "device_name")
    public String deviceName;
    @Column(name = "user_agent")
    public String userAgent;
    @Column(name = "ip_address")
    public String ipAddress;
    @JdbcTypeCode(SqlTypes.ARRAY)
    public List<String> amr;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "last_used_at")
    public Instant lastUsedAt;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Column(name = "revoked_at")
    public Instant revokedAt;
    @Column(name = "revoke_reason")
    public String revokeReason;

    public boolean active(Instant now) {
        return revokedAt == null && expiresAt.isAfter(now);
    }
}
