package io.tollgate.identity.mfa;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The {@code mfa_factors}, {@code recovery_codes} and {@code mfa_challenges} tables. Secrets are
 * stored sealed, codes and challenge tokens as digests; every factor and code is the user's.
 */
@ApplicationScoped
public class MfaRepository {

    /** An open login challenge: whose it is and the device it would sign in. */
    public record Challenge(UUID userId, String deviceName) {
        static Challenge from(Row row) {
            return new Challenge(row.getUUID("user_id"), row.getString("device_name"));
        }
    }

    private final Pool pool;

    public MfaRepository(Pool pool) {
        this.pool = pool;
    }

    /** Removes the user's factors and their recovery codes. */
    public Uni<Void> deleteFactors(SqlClient client, UUID userId) {
        return client.preparedQuery("delete from recovery_codes where user_id = $1").execute(Tuple.of(userId))
                .chain(() -> client.preparedQuery("delete from mfa_factors where user_id = $1").execute(Tuple.of(userId)))
                .replaceWithVoid();
    }

    /** A new, unconfirmed TOTP factor with its recovery codes (as digests). */
    public Uni<Void> insertFactor(SqlClient client, UUID factorId, UUID userId, String label, String sealedSecret,
                                  List<String> codeHashes) {
        List<Tuple> codes = new ArrayList<>();
        for (String hash : codeHashes) {
            codes.add(Tuple.of(UUID.randomUUID(), userId, factorId, hash));
        }
        return client.preparedQuery("insert into mfa_factors (id, user_id, factor_type, label, secret_enc) values ($1, $2, 'TOTP', $3, $4)")
                .execute(Tuple.of(factorId, userId, label, sealedSecret))
                .chain(() -> client.preparedQuery("insert into recovery_codes (id, user_id, factor_id, code_hash) values ($1, $2, $3, $4)")
                        .executeBatch(codes))
                .replaceWithVoid();
    }

    public Uni<Void> confirmFactor(SqlClient client, UUID userId, UUID factorId, Instant now) {
        return client.preparedQuery("update mfa_factors set confirmed_at = $3 where id = $1 and user_id = $2")
                .execute(Tuple.of(factorId, userId, utc(now))).replaceWithVoid();
    }

    /** The user's confirmed factor, or null. */
    public Uni<UUID> confirmedFactor(SqlClient client, UUID userId) {
        return client.preparedQuery("select id from mfa_factors where user_id = $1 and confirmed_at is not null").execute(Tuple.of(userId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID("id"));
    }

    /** The sealed secret of the user's factor (only a confirmed one when {@code confirmedOnly}), or null. */
    public Uni<String> sealedSecret(SqlClient client, UUID userId, UUID factorId, boolean confirmedOnly) {
        return client.preparedQuery("select secret_enc from mfa_factors where id = $1 and user_id = $2"
                        + (confirmedOnly ? " and confirmed_at is not null" : ""))
                .execute(Tuple.of(factorId, userId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("secret_enc"));
    }

    /** Moves the factor's last used time step to {@code step}; false when that step (or a later one) was used already. */
    public Uni<Boolean> useStep(SqlClient client, UUID factorId, long step) {
        return client.preparedQuery("update mfa_factors set last_used_step = $2 where id = $1 and last_used_step < $2")
                .execute(Tuple.of(factorId, step)).map(rows -> rows.rowCount() == 1);
    }

    /** Spends one of the user's recovery codes; false when there is no such unused code. */
    public Uni<Boolean> spendRecoveryCode(SqlClient client, UUID userId, String codeHash, Instant now) {
        return client.preparedQuery("update recovery_codes set used_at = $3 where user_id = $1 and code_hash = $2 and used_at is null")
                .execute(Tuple.of(userId, codeHash, utc(now))).map(rows -> rows.rowCount() == 1);
    }

    public Uni<Void> insertChallenge(String tokenHash, UUID userId, String deviceName, String userAgent, String ip,
                                     Instant expiresAt) {
        return pool.preparedQuery("insert into mfa_challenges (token_hash, user_id, device_name, user_agent, ip_address, expires_at)"
                        + " values ($1, $2, $3, $4, $5, $6)")
                .execute(Tuple.of(tokenHash, userId, deviceName, userAgent, ip, utc(expiresAt))).replaceWithVoid();
    }

    /** Counts an attempt at an open challenge; null when it is unknown, used, expired or out of attempts. */
    public Uni<Challenge> attemptChallenge(String tokenHash, Instant now, int maxAttempts) {
        return pool.preparedQuery("update mfa_challenges set attempts = attempts + 1 where token_hash = $1 and used_at is null"
                        + " and expires_at > $2 and attempts < $3 returning user_id, device_name")
                .execute(Tuple.of(tokenHash, utc(now), maxAttempts))
                .map(rows -> rows.size() == 0 ? null : Challenge.from(rows.iterator().next()));
    }

    public Uni<Void> spendChallenge(SqlClient client, String tokenHash, Instant now) {
        return client.preparedQuery("update mfa_challenges set used_at = $2 where token_hash = $1")
                .execute(Tuple.of(tokenHash, utc(now))).replaceWithVoid();
    }

    private static OffsetDateTime utc(Instant at) {
        return at.atOffset(ZoneOffset.UTC);
    }
}
