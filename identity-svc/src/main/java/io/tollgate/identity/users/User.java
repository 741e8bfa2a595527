package io.tollgate.identity.users;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

@Entity
@Table(name = "users")
public class User extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    public String email;
    @Column(name = "email_normalized")
    public String emailNormalized;
    @Column(name = "password_hash")
    public String passwordHash;
    @Column(name = "full_name")
    public String fullName;
    public String role;
    public String locale;
    @Column(name = "email_verified_at")
    public Instant emailVerifiedAt;
    @Column(name = "mfa_enabled")
    public boolean mfaEnabled;
    @Column(name = "banned_at")
    public Instant bannedAt;
    @Column(name = "ban_reason")
    public String banReason;
    @Column(name = "unblock_at")
    public Instant unblockAt;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;

    public static String normalize(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }

    public static Uni<User> byEmail(UUID tenantId, String email) {
        return find("tenantId = ?1 and emailNormalized = ?2", tenantId, normalize(email)).firstResult();
    }

    public boolean emailVerified() {
        return emailVerifiedAt != null;
    }

    /** Banned now: a ban with an unblock date in the past has lapsed. */
    public boolean banned(Instant now) {
        return bannedAt != null && (unblockAt == null || unblockAt.isAfter(now));
    }
}
