package io.tollgate.identity.users;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.UUID;

/** An account of a tenant; {@link #from} is the one mapping of its row. */
public record User(UUID id, UUID tenantId, String email, String emailNormalized, String passwordHash, String fullName,
                   String role, String locale, Instant emailVerifiedAt, boolean mfaEnabled, Instant bannedAt,
                   String banReason, Instant unblockAt, Instant createdAt, Instant updatedAt) {

    static final String COLUMNS = "id, tenant_id, email, email_normalized, password_hash, full_name, role, locale,"
            + " email_verified_at, mfa_enabled, banned_at, ban_reason, unblock_at, created_at, updated_at";

    public static User from(Row row) {
        return new User(row.getUUID("id"), row.getUUID("tenant_id"), row.getString("email"), row.getString("email_normalized"),
                row.getString("password_hash"), row.getString("full_name"), row.getString("role"), row.getString("locale"),
                instant(row.getOffsetDateTime("email_verified_at")), row.getBoolean("mfa_enabled"),
                instant(row.getOffsetDateTime("banned_at")), row.getString("ban_reason"), instant(row.getOffsetDateTime("unblock_at")),
                instant(row.getOffsetDateTime("created_at")), instant(row.getOffsetDateTime("updated_at")));
    }

    public static String normalize(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }

    public boolean emailVerified() {
        return emailVerifiedAt != null;
    }

    /** Banned now: a ban with an unblock date in the past has lapsed. */
    public boolean banned(Instant now) {
        return bannedAt != null && (unblockAt == null || unblockAt.isAfter(now));
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }
}
