package io.tollgate.proxy.ports;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.tollgate.proxy.ports.PortRepository.utc;

/**
 * The auto-renewal columns of {@code ports}. A due port is claimed (its {@code renewal_claim} set
 * for a while, under {@code SKIP LOCKED}) before billing is asked, and every outcome is written
 * only under that claim, so two scanners never renew one port twice: a claim that lapsed and was
 * taken over makes the slower scanner's outcome change nothing.
 */
@ApplicationScoped
public class RenewalRepository {

    /** A port's auto-renewal settings and how its renewals went. */
    public record Settings(boolean enabled, String source, int renewalDays, int failedAttempts, String lastFailureReason,
                           Instant lastFailedAt, Instant retryAt, int totalAutoRenewals, Instant lastRenewedAt) {
    }

    /** A due port claimed for renewal: the period it renews is the end it has now. */
    public record Due(UUID id, UUID userId, UUID tenantId, String name, String displayName, String country, boolean isPrivate,
                      Instant expiresAt, int days) {
    }

    private static final String CLAIM = """
            update ports p set renewal_claim = $1, renewal_claimed_until = $2::timestamptz + make_interval(secs => $3)
            from (select id from ports
                  where auto_renew and status in ('active', 'suspended') and renewal_failed_attempts < $4
                    and expires_at <= $2::timestamptz + make_interval(secs => $5)
                    and (renewal_retry_at is null or renewal_retry_at <= $2::timestamptz)
                    and (renewal_claimed_until is null or renewal_claimed_until < $2::timestamptz)
                  order by expires_at limit $6 for update skip locked) due
            where p.id = due.id
            returning p.id, p.user_id, p.tenant_id, p.name, p.display_name, p.country_code, p.is_private, p.expires_at, p.renewal_days""";
    private static final String RENEWED = """
            update ports set expires_at = expires_at + make_interval(days => $3), renewals_total = renewals_total + 1, last_renewed_at = $4,
                   renewal_failed_attempts = 0, renewal_retry_at = null, renewal_claim = null, renewal_claimed_until = null,
                   expiring_announced_at = case when expires_at + make_interval(days => $3) > $4::timestamptz + make_interval(secs => $5) then null
                                                else expiring_announced_at end,
                   updated_at = now()
            where id = $1 and renewal_claim = $2 and status in ('active', 'suspended')
            returning expires_at, renewals_total""";
    private static final String FAILED = """
            update ports set renewal_failed_attempts = renewal_failed_attempts + 1, renewal_last_failure = $3, renewal_last_failed_at = $4,
                   renewal_retry_at = $5, renewal_claim = null, renewal_claimed_until = null, updated_at = now()
            where id = $1 and renewal_claim = $2
            returning renewal_failed_attempts""";

    private final Pool pool;

    public RenewalRepository(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    public Uni<Settings> settings(SqlClient c, UUID portId) {
        return c.preparedQuery("""
                        select auto_renew, renewal_source, renewal_days, renewal_failed_attempts, renewal_last_failure, renewal_last_failed_at,
                               renewal_retry_at, renewals_total, last_renewed_at from ports where id = $1""")
                .execute(Tuple.of(portId))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new Settings(r.getBoolean("auto_renew"), r.getString("renewal_source"), r.getInteger("renewal_days"),
                            r.getInteger("renewal_failed_attempts"), r.getString("renewal_last_failure"), Port.at(r, "renewal_last_failed_at"),
                            Port.at(r, "renewal_retry_at"), r.getInteger("renewals_total"), Port.at(r, "last_renewed_at"));
                });
    }

    /** New settings; {@code freshStart} forgets the refused attempts of the current period. */
    public Uni<Void> save(SqlClient tx, UUID portId, boolean enabled, String source, int days, boolean freshStart) {
        return tx.preparedQuery("""
                        update ports set auto_renew = $2, renewal_source = $3, renewal_days = $4,
                               renewal_failed_attempts = case when $5 then 0 else renewal_failed_attempts end,
                               renewal_retry_at = case when $5 then null else renewal_retry_at end, updated_at = now()
                        where id = $1""")
                .execute(Tuple.of(portId, enabled, source, days, freshStart)).replaceWithVoid();
    }

    /**
     * Claims up to {@code limit} live ports with auto-renewal on whose renewal is due at {@code now}
     * ({@code lead} before their end, after any retry time, fewer than {@code maxAttempts} refused),
     * each under {@code claim} for {@code hold}.
     */
    public Uni<List<Due>> claimDue(UUID claim, Instant now, Duration hold, int maxAttempts, Duration lead, int limit) {
        return pool.preparedQuery(CLAIM).execute(Tuple.from(new Object[] {claim, utc(now), (double) hold.toSeconds(), maxAttempts,
                        (double) lead.toSeconds(), limit}))
                .map(rows -> {
                    List<Due> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Due(r.getUUID("id"), r.getUUID("user_id"), r.getUUID("tenant_id"), r.getString("name"),
                            r.getString("display_name"), r.getString("country_code"), r.getBoolean("is_private"), Port.at(r, "expires_at"),
                            r.getInteger("renewal_days"))));
                    return out;
                });
    }

    /** The new end and renewal count after a charged renewal under {@code claim}; empty when the claim was lost or the port ended. */
    public record Renewed(Instant expiresAt, int totalAutoRenewals) {
    }

    public Uni<Optional<Renewed>> renewed(SqlClient tx, UUID portId, UUID claim, int days, Instant now, Duration announceAhead) {
        return tx.preparedQuery(RENEWED).execute(Tuple.from(new Object[] {portId, claim, days, utc(now), (double) announceAhead.toSeconds()}))
                .map(rows -> rows.size() == 0 ? Optional.empty()
                        : Optional.of(new Renewed(Port.at(rows.iterator().next(), "expires_at"), rows.iterator().next().getInteger("renewals_total"))));
    }

    /** A refused attempt under {@code claim}: the attempts made so far, empty when the claim was lost. */
    public Uni<Optional<Integer>> refused(SqlClient tx, UUID portId, UUID claim, String reason, Instant now, Instant retryAt) {
        return tx.preparedQuery(FAILED).execute(Tuple.from(new Object[] {portId, claim, reason, utc(now), utc(retryAt)}))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getInteger(0)));
    }

    /** Gives the claim up without an outcome (billing could not answer): the next scan tries again. */
    public Uni<Void> release(UUID portId, UUID claim) {
        return pool.preparedQuery("update ports set renewal_claim = null, renewal_claimed_until = null where id = $1 and renewal_claim = $2")
                .execute(Tuple.of(portId, claim)).replaceWithVoid();
    }
}
