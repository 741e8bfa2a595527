package io.tollgate.billing.promos;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Promo codes: checked without side effects, taken atomically with a top-up, applied once. */
@ApplicationScoped
public class Promos {

    public record Promo(UUID id, String code, String kind, long value, String currency, Integer maxRedemptions,
                        int perUserLimit, Long minAmountMinor, Long maxAmountMinor, Instant validFrom, Instant validUntil,
                        boolean isActive, int redeemedCount, Instant createdAt) {
        static Promo of(Row r) {
            return new Promo(r.getUUID("id"), r.getString("code"), r.getString("kind"), r.getLong("value"),
                    r.getString("currency") == null ? null : r.getString("currency").trim(), r.getInteger("max_redemptions"),
                    r.getInteger("per_user_limit"), r.getLong("min_amount_minor"), r.getLong("max_amount_minor"),
                    at(r, "valid_from"), at(r, "valid_until"), r.getBoolean("is_active"), r.getInteger("redeemed_count"),
                    at(r, "created_at"));
        }

        long bonusFor(long amountMinor) {
            return "percentage".equals(kind) ? amountMinor * value / 100 : value;
        }
    }

    public record NewPromo(String code, String kind, long value, String currency, Integer maxRedemptions, Integer perUserLimit,
                           Long minAmountMinor, Long maxAmountMinor, Instant validFrom, Instant validUntil) {
    }

    public record Preview(boolean valid, String code, String kind, long baseAmountMinor, long bonusMinor,
                          long finalCreditMinor) {
    }

    public record Redemption(UUID id, UUID userId, UUID paymentId, long baseMinor, long bonusMinor, String status,
                             Instant createdAt) {
    }

    private static final String COLUMNS = """
            id, code, kind, value, currency, max_redemptions, per_user_limit, min_amount_minor, max_amount_minor, valid_from,
            valid_until, is_active, redeemed_count, created_at""";

    private final Pool pool;
    private final Clock clock;

    public Promos(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    public static String normalize(String code) {
        return code == null ? null : code.trim().toUpperCase(Locale.ROOT);
    }

    /** What the code would give on a top-up of {@code amountMinor}; nothing is reserved. */
    public Uni<Preview> preview(UUID userId, String code, long amountMinor, String currency) {
        return load(pool, normalize(code), false)
                .chain(promo -> usedBy(pool, promo.id(), userId).map(used -> {
                    refuse(promo, amountMinor, currency, used);
                    long bonus = promo.bonusFor(amountMinor);
                    return new Preview(true, promo.code(), promo.kind(), amountMinor, bonus, amountMinor + bonus);
                }));
    }

    /** Takes one redemption for {@code paymentId} inside {@code c}'s transaction; answers the bonus. */
    public Uni<Long> reserve(SqlClient c, UUID userId, String code, long amountMinor, String currency, UUID paymentId) {
        return load(c, normalize(code), true)
                .chain(promo -> usedBy(c, promo.id(), userId).chain(used -> {
                    refuse(promo, amountMinor, currency, used);
                    long bonus = promo.bonusFor(amountMinor);
                    return c.preparedQuery("update promo_codes set redeemed_count = redeemed_count + 1 where id = $1")
                            .execute(Tuple.of(promo.id()))
                            .chain(() -> c.preparedQuery("""
                                            insert into promo_redemptions (id, promo_id, user_id, payment_id, base_minor, bonus_minor, status)
                                            values ($1, $2, $3, $4, $5, $6, 'reserved')""")
                                    .execute(Tuple.from(List.of(UUID.randomUUID(), promo.id(), userId, paymentId, amountMinor, bonus))))
                            .replaceWith(bonus);
                }));
    }

    /** The payment succeeded: its reserved bonus (0 when none) is now due. */
    public Uni<Long> apply(SqlClient c, UUID paymentId) {
        return c.preparedQuery("""
                        update promo_redemptions set status = 'applied' where payment_id = $1 and status = 'reserved'
                        returning bonus_minor""")
                .execute(Tuple.of(paymentId))
                .map(rows -> rows.size() == 0 ? 0L : rows.iterator().next().getLong("bonus_minor"));
    }

    /** The payment failed: its redemption goes back to the code's count. */
    public Uni<Void> release(SqlClient c, UUID paymentId) {
        return c.preparedQuery("""
                        with r as (update promo_redemptions set status = 'released' where payment_id = $1 and status = 'reserved'
                                   returning promo_id)
                        update promo_codes set redeemed_count = redeemed_count - 1 where id in (select promo_id from r)""")
                .execute(Tuple.of(paymentId)).replaceWithVoid();
    }

    /** Creates a code in {@code client} (the caller's transaction, where an Idempotency-Key's answer commits too). */
    public Uni<Promo> create(io.vertx.mutiny.sqlclient.SqlClient client, NewPromo p) {
        return client.preparedQuery("""
                        insert into promo_codes (id, code, kind, value, currency, max_redemptions, per_user_limit, min_amount_minor,
                                                 max_amount_minor, valid_from, valid_until)
                        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                        on conflict (code) do nothing returning\s""" + COLUMNS)
                .execute(Tuple.from(java.util.Arrays.asList(UUID.randomUUID(), normalize(p.code()), p.kind(), p.value(),
                        p.currency(), p.maxRedemptions(), p.perUserLimit() == null ? 1 : p.perUserLimit(), p.minAmountMinor(),
                        p.maxAmountMinor(), utc(p.validFrom()), utc(p.validUntil()))))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.conflict("PROMO_CODE_TAKEN", "The code " + normalize(p.code()) + " exists already.");
                    }
                    return Promo.of(rows.iterator().next());
                });
    }

    public Uni<Page<Promo>> list(PageRequest page) {
        return pool.query("select count(*) from promo_codes").execute().map(rows -> rows.iterator().next().getLong(0))
                .chain(total -> pool.preparedQuery("select " + COLUMNS + " from promo_codes order by created_at desc, id limit $1 offset $2")
                        .execute(Tuple.of(page.size(), page.offset()))
                        .map(rows -> {
                            List<Promo> out = new ArrayList<>();
                            rows.forEach(r -> out.add(Promo.of(r)));
                            return Page.of(out, page, total);
                        }));
    }

    public Uni<Promo> deactivate(UUID id) {
        return pool.preparedQuery("update promo_codes set is_active = false where id = $1 returning " + COLUMNS)
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("promo code");
                    }
                    return Promo.of(rows.iterator().next());
                });
    }

    public Uni<Page<Redemption>> redemptions(UUID promoId, PageRequest page) {
        return pool.preparedQuery("select count(*) from promo_redemptions where promo_id = $1").execute(Tuple.of(promoId))
                .map(rows -> rows.iterator().next().getLong(0))
                .chain(total -> pool.preparedQuery("""
                                select id, user_id, payment_id, base_minor, bonus_minor, status, created_at from promo_redemptions
                                where promo_id = $1 order by created_at desc, id limit $2 offset $3""")
                        .execute(Tuple.of(promoId, page.size(), page.offset()))
                        .map(rows -> {
                            List<Redemption> out = new ArrayList<>();
                            rows.forEach(r -> out.add(new Redemption(r.getUUID("id"), r.getUUID("user_id"), r.getUUID("payment_id"),
                                    r.getLong("base_minor"), r.getLong("bonus_minor"), r.getString("status"), at(r, "created_at"))));
                            return Page.of(out, page, total);
                        }));
    }

    private Uni<Promo> load(SqlClient c, String code, boolean lock) {
        return c.preparedQuery("select " + COLUMNS + " from promo_codes where code = $1" + (lock ? " for update" : ""))
                .execute(Tuple.of(code))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ProblemException(404, "PROMO_NOT_FOUND", "Not Found", "No promo code " + code + ".");
                    }
                    return Promo.of(rows.iterator().next());
                });
    }

    private static Uni<Long> usedBy(SqlClient c, UUID promoId, UUID userId) {
        return c.preparedQuery("select count(*) from promo_redemptions where promo_id = $1 and user_id = $2 and status <> 'released'")
                .execute(Tuple.of(promoId, userId)).map(rows -> rows.iterator().next().getLong(0));
    }

    private void refuse(Promo p, long amountMinor, String currency, long usedByUser) {
        Instant now = clock.instant();
        if (!p.isActive()) {
            throw ProblemException.unprocessable("PROMO_INACTIVE", "The code " + p.code() + " is no longer active.");
        }
        if ((p.validFrom() != null && now.isBefore(p.validFrom())) || (p.validUntil() != null && !now.isBefore(p.validUntil()))) {
            throw ProblemException.unprocessable("PROMO_EXPIRED", "The code " + p.code() + " is not valid now.");
        }
        if (p.currency() != null && !p.currency().equals(currency)) {
            throw ProblemException.unprocessable("PROMO_CURRENCY", "The code " + p.code() + " is for " + p.currency() + " top-ups.");
        }
        if ((p.minAmountMinor() != null && amountMinor < p.minAmountMinor())
                || (p.maxAmountMinor() != null && amountMinor > p.maxAmountMinor())) {
            throw ProblemException.unprocessable("PROMO_AMOUNT_OUT_OF_RANGE", "The code " + p.code()
                    + " applies to top-ups between " + p.minAmountMinor() + " and " + p.maxAmountMinor() + ".");
        }
        if (p.maxRedemptions() != null && p.redeemedCount() >= p.maxRedemptions()) {
            throw ProblemException.conflict("PROMO_LIMIT_REACHED", "The code " + p.code() + " has been used up.");
        }
        if (usedByUser >= p.perUserLimit()) {
            throw ProblemException.conflict("PROMO_ALREADY_USED", "You have already used the code " + p.code() + ".");
        }
    }

    private static OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }

    private static Instant at(Row r, String column) {
        OffsetDateTime value = r.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }
}
