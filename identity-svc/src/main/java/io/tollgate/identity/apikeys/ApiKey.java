package io.tollgate.identity.apikeys;

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
@Table(name = "api_keys")
public class ApiKey extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "user_id")
    public UUID userId;
    @Column(name = "tenant_id")
    public UUID tenantId;
    public String name;
    public String environment;
    @Column(name = "key_prefix")
    public String keyPrefix;
    public String last4;
    @Column(name = "secret_hash")
    public String secretHash;
    @JdbcTypeCode(SqlTypes.ARRAY)
    public List<String> scopes;
    @Column(name = "allowed_ips")
    @JdbcTypeCode(SqlTypes.ARRAY)
    public List<String> allowedIps;
    @Column(name = "rate_limit_rpm")
    public int rateLimitRpm;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Column(name = "last_used_at")
    public Instant lastUsedAt;
    @Column(name = "usage_count")
    public long usageCount;
    @Column(name = "revoked_at")
    public Instant revokedAt;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;

    public boolean active(Instant now) {
        return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
    }
}
