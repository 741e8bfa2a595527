package io.tollgate.billing.holds;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tollgate.billing.alerts.Alerts;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.contracts.billing.HoldCaptured;
import io.tollgate.contracts.billing.HoldVoided;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.ids.Ids;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Money reserved for work in one of our services: placed at once (or 402), then resolved exactly
 * once, by a capture of all or part of it (the rest goes back), a void, or expiry.
 */
@ApplicationScoped
public class Holds {

    private static final Logger LOG = Logger.getLogger(Holds.class);

    public record Hold(UUID id, UUID walletId, UUID userId, UUID tenantId, long amountMinor, long capturedMinor,
                       String currency, String status, String service, String reference, String description,
                       UUID apiKeyId, Instant expiresAt, Instant createdAt, Instant resolvedAt) {
        static Hold of(Row row) {
            return new Hold(row.getUUID("id"), row.getUUID("wallet_id"), row.getUUID("user_id"), row.getUUID("tenant_id"),
                    row.getLong("amount_minor"), row.getLong("captured_minor"), row.getString("currency").trim(),
                    row.getString("status"), row.getString("service"), row.getString("reference"),
                    row.getString("description"), row.getUUID("api_key_id"), instant(row, "expires_at"),
                    instant(row, "created_at"), instant(row, "resolved_at"));
        }

        private static Instant instant(Row row, String column) {
            OffsetDateTime value = row.getOffsetDateTime(column);
            return value == null ? null : value.toInstant();
        }
    }

    /**
     * {@code idempotencyKey} and {@code fingerprint} (both null without a key) make a retry of the
     * same request answer with the same hold.
     */
    public record NewHold(UUID userId, UUID tenantId, long amountMinor, String currency, String service, String reference,
                          String description, UUID apiKeyId, Duration ttl, String modelId, String idempotencyKey,
                          String fingerprint) {
    }

    /** A hold as placed, and whether it was placed by an earlier request with the same key. */
    public record Placed(Hold hold, boolean replayed) {
    }

    private static final String HOLD_COLUMNS = """
            id, wallet_id, user_id, tenant_id, amount_minor, captured_minor, currency, status, service, reference,
            description, api_key_id, expires_at, created_at, resolved_at""";

    // $1 user, $2 amount, $3 hold id, $4 service, $5 reference, $6 description, $7 api key,
    // $8 expires at, $9 journal id, $10 model, $11 currency, $12 tenant, $13 idempotency key,
    // $14 request fingerprint. No row when the wallet is missing, belongs to another tenant, does
    // not cover the amount, or the key was used before; a concurrent request with the same key
    // fails on the unique index instead and its wallet update rolls back with it. The alert check
    // (thresholds, balance.low, auto top-up due: Alerts.ctes) is part of the statement.
    private static final String PLACE = """
            with w as (
                update wallets set available_minor = available_minor - $2, reserved_minor = reserved_minor + $2,
                                   updated_at = now()
                where user_id = $1 and currency = $11 and tenant_id = $12 and available_minor >= $2
                  and ($13::text is null
                       or not exists (select 1 from holds where service = $4 and idempotency_key = $13))
                returning id, user_id, tenant_id, currency, available_minor, reserved_minor
            ), h as (
                insert into holds (id, wallet_id, user_id, tenant_id, amount_minor, currency, status, service, reference,
                                   description, api_key_id, expires_at, model_id, idempotency_key, request_fingerprint)
                select $3, id, user_id, tenant_id, $2, currency, 'pending', $4, $5, $6, $7, $8, $10, $13, $14 from w
                returning\s""" + HOLD_COLUMNS + """
            ), j as (
                insert into journal (id, wallet_id, user_id, tenant_id, type, amount_minor, reserved_change_minor,
                                     balance_after_minor, reserved_after_minor, currency, reference_type, reference_id,
                                     description)
                select $9, id, user_id, tenant_id, 'hold', -$2, $2, available_minor, reserved_minor, currency, 'hold',
                       $3::text, $6 from w
            ), p as (
                insert into postings (journal_id, account, amount_minor, currency)
                select $9, 'wallet:' || id || ':available', -$2, currency from w
                union all select $9, 'wallet:' || id || ':reserved', $2, currency from w
            ), {ALERTS}
            select h.*, """ + Alerts.ALERTED + " from h, w";

    private static final String BY_KEY = "select " + HOLD_COLUMNS
            + ", request_fingerprint from holds where service = $1 and idempotency_key = $2";

    // $1 hold, $2 the resolution (capture, voided, expired), $3 the amount to capture (null: all of
    // it), $4 capture journal id, $5 release journal id, $6 the service that placed it (null:
    // billing's own expiry). The event (captured or voided, through the kit's outbox insert) and the
    // alert check are part of the statement. A service resolves only its own holds. Only a pending hold moves, and
    // only once: a second resolver finds no pending row. The rest of the hold goes back to the
    // available balance. The journal ids are cast: the server types an untyped parameter in a UNION
    // as text, the named prepare then fails, and the client falls back to parsing and planning the
    // statement again on every call.
    private static final String RESOLVE = """
            with h as (
                update holds set status = case when $2 <> 'capture' then $2
                                               when coalesce($3, amount_minor) = amount_minor then 'captured'
                                               else 'partially_captured' end,
                                 captured_minor = case when $2 = 'capture' then coalesce($3, amount_minor) else 0 end,
                                 resolved_at = now()
                where id = $1 and status = 'pending' and coalesce($3, 0) <= amount_minor
                  and ($6::text is null or service = $6::text)
                returning\s""" + HOLD_COLUMNS + """
            ), w as (
                update wallets set reserved_minor = wallets.reserved_minor - h.amount_minor,
                                   available_minor = wallets.available_minor + (h.amount_minor - h.captured_minor),
                                   updated_at = now()
                from h where wallets.id = h.wallet_id
                returning wallets.id, wallets.user_id, wallets.tenant_id, wallets.currency, wallets.available_minor,
                          wallets.reserved_minor, h.amount_minor - h.captured_minor as released
            ), j as (
                insert into journal (id, wallet_id, user_id, tenant_id, type, amount_minor, reserved_change_minor,
                                     balance_after_minor, reserved_after_minor, currency, reference_type, reference_id,
                                     description, created_at)
                select $4::uuid, w.id, w.user_id, w.tenant_id, 'capture', 0, -h.captured_minor, w.available_minor - w.released,
                       w.reserved_minor + w.released, w.currency, 'hold', $1::text, h.description, now()
                from w, h where h.captured_minor > 0
                union all
                select $5::uuid, w.id, w.user_id, w.tenant_id, 'release', w.released, -w.released, w.available_minor,
                       w.reserved_minor, w.currency, 'hold', $1::text, h.description, clock_timestamp() + interval '1 microsecond'
                from w, h where w.released > 0
            ), p as (
                insert into postings (journal_id, account, amount_minor, currency)
                select $4, 'wallet:' || w.id || ':reserved', -h.captured_minor, w.currency from w, h where h.captured_minor > 0
                union all select $4, 'platform:revenue', h.captured_minor, w.currency from w, h where h.captured_minor > 0
                union all select $5, 'wallet:' || w.id || ':reserved', -w.released, w.currency from w where w.released > 0
                union all select $5, 'wallet:' || w.id || ':available', w.released, w.currency from w where w.released > 0
            ), captured as (
                {CAPTURED}
                returning id
            ), voided as (
                {VOIDED}
                returning id
            ), {ALERTS}
            select h.*, w.released, """ + Alerts.ALERTED + " from h, w";

    private final Ledger ledger;
    private final Alerts alerts;
    private final Outbox outbox;
    private final Clock clock;
    private final String place;
    private final String resolve;

    public Holds(Ledger ledger, Alerts alerts, Outbox outbox, Clock clock) {
        this.ledger = ledger;
        this.alerts = alerts;
        this.outbox = outbox;
        this.clock = clock;
        String checks = Alerts.ctes(outbox);
        this.place = PLACE.replace("{ALERTS}", checks);
        this.resolve = RESOLVE.replace("{ALERTS}", checks)
                .replace("{CAPTURED}", outbox.insertSql(HoldCaptured.class, "h.id::text", "'holds/' || h.id", """
                        jsonb_build_object('user_id', h.user_id, 'tenant_id', h.tenant_id, 'hold_id', h.id,
                                           'captured_minor', h.captured_minor, 'released_minor', w.released,
                                           'currency', trim(h.currency), 'service', h.service,
                                           'reference', h.reference, 'occurred_at', now())""",
                        "from h, w where h.captured_minor > 0"))
                .replace("{VOIDED}", outbox.insertSql(HoldVoided.class, "h.id::text", "'holds/' || h.id", """
                        jsonb_build_object('user_id', h.user_id, 'tenant_id', h.tenant_id, 'hold_id', h.id,
                                           'released_minor', w.released, 'currency', trim(h.currency),
                                           'service', h.service, 'reference', h.reference, 'reason', h.status,
                                           'occurred_at', now())""",
                        "from h, w where h.captured_minor = 0"));
    }

    /**
     * Places the hold in one statement (wallet, hold, journal, postings and the balance checks). Only
     * when that finds nothing to move does it look further: a retry of an earlier request, a wallet
     * to open, another tenant's wallet (404) or too little money (402).
     */
    public Uni<Placed> place(NewHold request) {
        String currency = request.currency() == null ? ledger.defaultCurrency() : request.currency();
        Tuple args = Tuple.tuple().addUUID(request.userId()).addLong(request.amountMinor()).addUUID(Ids.next())
                .addString(request.service()).addString(request.reference()).addString(request.description())
                .addUUID(request.apiKeyId())
                .addOffsetDateTime(OffsetDateTime.ofInstant(clock.instant().plus(request.ttl()), ZoneOffset.UTC))
                .addUUID(Ids.next()).addString(request.modelId()).addString(currency).addUUID(request.tenantId())
                .addString(request.idempotencyKey()).addString(request.fingerprint());
        return attempt(args, request).chain(placed -> placed != null ? Uni.createFrom().item(placed)
                : replay(request).chain(earlier -> earlier != null ? Uni.createFrom().item(earlier)
                        : ledger.wallet(request.userId(), request.tenantId(), currency).chain(wallet -> {
                            if (!wallet.tenantId().equals(request.tenantId())) {
                                return Uni.createFrom().failure(ProblemException.notFound("wallet"));
                            }
                            // the wallet may have been opened just now: try once more before the 402
                            return attempt(args, request).chain(again -> again != null ? Uni.createFrom().item(again)
                                    : ledger.wallet(request.userId(), request.tenantId(), currency).map(current -> {
                                        throw Ledger.insufficient(request.amountMinor(), current.availableMinor());
                                    }));
                        })));
    }

    /** The placed hold, null when nothing moved; a concurrent twin under the same key answers with the winner's hold. */
    private Uni<Placed> attempt(Tuple args, NewHold request) {
        return ledger.pool().preparedQuery(place).execute(args)
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    alerts.alerted(row);
                    return new Placed(Hold.of(row), false);
                })
                .onFailure(Holds::duplicateKey).recoverWithUni(() -> replay(request).map(earlier -> {
                    if (earlier == null) {
                        throw new IllegalStateException("a hold's idempotency key collided but its hold is gone");
                    }
                    return earlier;
                }));
    }

    /**
     * The hold an earlier request with the same key placed, as it answered then; 422 when that
     * request was a different one; null when the key is new (or there is none).
     */
    private Uni<Placed> replay(NewHold request) {
        if (request.idempotencyKey() == null) {
            return Uni.createFrom().nullItem();
        }
        return ledger.pool().preparedQuery(BY_KEY).execute(Tuple.of(request.service(), request.idempotencyKey()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    if (!request.fingerprint().equals(row.getString("request_fingerprint"))) {
                        throw Idempotency.keyReused();
                    }
                    Hold now = Hold.of(row);
                    return new Placed(new Hold(now.id(), now.walletId(), now.userId(), now.tenantId(), now.amountMinor(), 0,
                            now.currency(), "pending", now.service(), now.reference(), now.description(), now.apiKeyId(),
                            now.expiresAt(), now.createdAt(), null), true);
                });
    }

    private static boolean duplicateKey(Throwable failure) {
        return failure instanceof PgException pg && "23505".equals(pg.getSqlState())
                && pg.getConstraint() != null && pg.getConstraint().equals("holds_idempotency");
    }

    public Uni<Hold> find(UUID id) {
        return find(id, null);
    }

    /** The hold, when {@code service} placed it (null: whoever did); another service's hold is 404. */
    public Uni<Hold> find(UUID id, String service) {
        return find(ledger.pool(), id, service);
    }

    /** As {@link #find(UUID, String)}, through {@code client} (a transaction of the caller's). */
    public Uni<Hold> find(SqlClient client, UUID id, String service) {
        return client.preparedQuery("select " + HOLD_COLUMNS + " from holds where id = $1").execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("hold");
                    }
                    Hold hold = Hold.of(rows.iterator().next());
                    if (service != null && !service.equals(hold.service())) {
                        throw ProblemException.notFound("hold");
                    }
                    return hold;
                });
    }

    /** Records the model a hold paid for when its service only says so at the end (render's completed event). */
    public Uni<Void> model(SqlClient client, UUID id, String modelId) {
        return modelId == null ? Uni.createFrom().voidItem()
                : client.preparedQuery("update holds set model_id = $2 where id = $1 and model_id is null")
                        .execute(Tuple.of(id, modelId)).replaceWithVoid();
    }

    /** Captures {@code amountMinor} (null: all of it); the rest goes back to the available balance. */
    public Uni<Hold> capture(UUID id, Long amountMinor, String service) {
        return capture(ledger.pool(), id, amountMinor, service);
    }

    public Uni<Hold> capture(SqlClient client, UUID id, Long amountMinor, String service) {
        if (amountMinor != null && amountMinor <= 0) {
            return Uni.createFrom().failure(ProblemException.validation("amount_minor", "must be greater than 0"));
        }
        return resolve(client, id, "capture", amountMinor, service);
    }

    public Uni<Hold> voidHold(UUID id, String service) {
        return voidHold(ledger.pool(), id, service);
    }

    public Uni<Hold> voidHold(SqlClient client, UUID id, String service) {
        return resolve(client, id, "voided", null, service);
    }

    /**
     * One statement, so the wallet row is locked only while it runs (a transaction of several round
     * trips would hold it across each of them): the hold, the wallet, the journal, the postings, the
     * event row and the balance checks (thresholds, auto top-up), so nothing is left to do after
     * the move commits. The event's JSON is built in SQL; the tests validate it
     * against its schema. When no pending hold moved, the hold is read to say why.
     */
    private Uni<Hold> resolve(SqlClient client, UUID id, String resolution, Long amountMinor, String service) {
        Tuple args = Tuple.tuple().addUUID(id).addString(resolution).addLong(amountMinor).addUUID(Ids.next())
                .addUUID(Ids.next()).addString(service);
        return client.preparedQuery(resolve).execute(args)
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    outbox.appendedBySql();
                    return Hold.of(row);
                })
                .chain(hold -> hold != null ? Uni.createFrom().item(hold) : find(client, id, service).map(current -> {
                    if ("pending".equals(current.status()) && amountMinor != null && amountMinor > current.amountMinor()) {
                        throw ProblemException.unprocessable("CAPTURE_EXCEEDS_HOLD",
                                "The hold is for " + current.amountMinor() + "; " + amountMinor + " cannot be captured.")
                                .with("held", current.amountMinor());
                    }
                    throw alreadyResolved(current, switch (resolution) {
                        case "capture" -> "capture";
                        case "voided" -> "void";
                        default -> "expire";
                    });
                }));
    }

    static ProblemException alreadyResolved(Hold hold, String action) {
        String code = switch (hold.status()) {
            case "captured", "partially_captured" -> "HOLD_ALREADY_CAPTURED";
            case "voided" -> "HOLD_ALREADY_VOIDED";
            case "expired" -> "HOLD_EXPIRED";
            default -> "HOLD_NOT_PENDING";
        };
        return ProblemException.conflict(code, "The hold is " + hold.status() + "; it cannot " + action + " again.")
                .with("status", hold.status());
    }

    /** Releases holds nobody resolved in time; a capture racing the expiry is refused or wins, never both. */
    @Scheduled(identity = "billing-hold-expiry", every = "${tollgate.billing.holds.expiry-scan:5s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> expire() {
        return expireDue(200).replaceWithVoid();
    }

    public Uni<Integer> expireDue(int limit) {
        return ledger.pool().preparedQuery("select id from holds where status = 'pending' and expires_at <= $1 limit $2")
                .execute(Tuple.of(OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC), limit))
                .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                .onItem().transformToUniAndConcatenate(row -> resolve(ledger.pool(), row.getUUID("id"), "expired", null, null)
                        .map(h -> 1).onFailure(ProblemException.class).recoverWithItem(0))
                .collect().asList()
                .map(done -> {
                    int n = done.stream().mapToInt(Integer::intValue).sum();
                    if (n > 0) {
                        LOG.infof("expired %d holds", n);
                    }
                    return n;
                });
    }
}
