package io.tollgate.identity.users;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * The {@code email_verifications} and {@code password_resets} tables: single-use tokens and codes,
 * stored as digests only. Every method runs in the caller's transaction.
 */
@ApplicationScoped
public class RecoveryRepository {

    /** Voids the user's open verifications, so only the newest one works. */
    public Uni<Void> supersedeVerifications(SqlClient client, UUID userId, Instant now) {
        return client.preparedQuery("update email_verifications set used_at = $2 where user_id = $1 and used_at is null")
                .execute(Tuple.of(userId, utc(now))).replaceWithVoid();
    }

    public Uni<Void> insertVerification(SqlClient client, UUID userId, String tokenHash, String codeHash, Instant expiresAt) {
        return client.preparedQuery("insert into email_verifications (id, user_id, token_hash, code_hash, expires_at)"
                        + " values ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(UUID.randomUUID(), userId, tokenHash, codeHash, utc(expiresAt))).replaceWithVoid();
    }

    /** Spends an open verification by its link token; the user it verifies, or null. */
    public Uni<UUID> spendVerificationToken(SqlClient client, String tokenHash, Instant now) {
        return client.preparedQuery("update email_verifications set used_at = $2 where token_hash = $1 and used_at is null"
                        + " and expires_at > $2 returning user_id")
                .execute(Tuple.of(tokenHash, utc(now))).map(RecoveryRepository::userId);
    }

    /**
     * Tries a code against the user's open verification: a match spends it, a miss counts an attempt
     * (the verification stops accepting codes after {@code maxAttempts}). True on a match.
     */
    public Uni<Boolean> tryVerificationCode(SqlClient client, UUID userId, String codeHash, Instant now, int maxAttempts) {
        return client.preparedQuery("""
                        update email_verifications set used_at = case when code_hash = $2 then $3 else used_at end,
                               attempts = attempts + case when code_hash = $2 then 0 else 1 end
                         where user_id = $1 and used_at is null and expires_at > $3 and attempts < $4
                        returning (code_hash = $2) as matched""")
                .execute(Tuple.of(userId, codeHash, utc(now), maxAttempts))
                .map(rows -> {
                    for (Row row : rows) {
                        if (row.getBoolean("matched")) {
                            return true;
                        }
                    }
                    return false;
                });
    }

    public Uni<Void> insertReset(SqlClient client, UUID userId, String tokenHash, Instant expiresAt) {
        return client.preparedQuery("insert into password_resets (id, user_id, token_hash, expires_at) values ($1, $2, $3, $4)")
                .execute(Tuple.of(UUID.randomUUID(), userId, tokenHash, utc(expiresAt))).replaceWithVoid();
    }

    /** Spends an open reset by its token; the user whose password it resets, or null. */
    public Uni<UUID> spendReset(SqlClient client, String tokenHash, Instant now) {
        return client.preparedQuery("update password_resets set used_at = $2 where token_hash = $1 and used_at is null"
                        + " and expires_at > $2 returning user_id")
                .execute(Tuple.of(tokenHash, utc(now))).map(RecoveryRepository::userId);
    }

    /**
     * What a link token is, without spending it: its user and tenant, whether it was used (or
     * superseded) or has expired, and whether the user's address is verified; null when unknown.
     */
    public record TokenState(UUID userId, UUID tenantId, boolean used, boolean expired, boolean userVerified) {
        public boolean open() {
            return !used && !expired;
        }

        static TokenState from(Row row) {
            return new TokenState(row.getUUID("user_id"), row.getUUID("tenant_id"), row.getBoolean("used"), row.getBoolean("expired"),
                    row.getBoolean("verified"));
        }
    }

    public Uni<TokenState> verificationToken(SqlClient client, String tokenHash, Instant now) {
        return client.preparedQuery("""
                        select v.user_id, u.tenant_id, v.used_at is not null as used, v.expires_at <= $2 as expired,
                               u.email_verified_at is not null as verified
                          from email_verifications v join users u on u.id = v.user_id where v.token_hash = $1""")
                .execute(Tuple.of(tokenHash, utc(now))).map(rows -> rows.size() == 0 ? null : TokenState.from(rows.iterator().next()));
    }

    public Uni<TokenState> resetToken(SqlClient client, String tokenHash, Instant now) {
        return client.preparedQuery("""
                        select r.user_id, u.tenant_id, r.used_at is not null as used, r.expires_at <= $2 as expired,
                               u.email_verified_at is not null as verified
                          from password_resets r join users u on u.id = r.user_id where r.token_hash = $1""")
                .execute(Tuple.of(tokenHash, utc(now))).map(rows -> rows.size() == 0 ? null : TokenState.from(rows.iterator().next()));
    }

    private static UUID userId(RowSet<Row> rows) {
        return rows.size() == 0 ? null : rows.iterator().next().getUUID("user_id");
    }

    private static OffsetDateTime utc(Instant at) {
        return at.atOffset(ZoneOffset.UTC);
    }
}
