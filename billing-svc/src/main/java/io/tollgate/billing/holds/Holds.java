package io.tollgate.billing.holds;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tollgate.billing.alerts.Alerts;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.contracts.billing.HoldCaptured;
import io.tollgate.contracts.billing.HoldVoided;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
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

    public record NewHold(UUID userId, UUID tenantId, long amountMinor, String currency, String service, String reference,
                          String description, UUID apiKeyId, Duration ttl, String modelId) {
    }

    private static final String HOLD_COLUMNS = """
            id, wallet_id, user_id, tenant_id, amount_minor, captured_minor, currency, status, service, reference,
            description, api_key_id, expires_at, created_at, resolved_at""";

    // $1 wallet, $2 amount, $3 hold id, $4 service, $5 reference, $6 description, $7 api key,
    // $8 expires at, $9 journal id, $10 model
    private static final String PLACE = """
            with w as (
                update wallets set available_minor = available_minor - $2, reserved_minor = reserved_minor + $2,
                                   updated_at = now()
                where id = $1 and available_minor >= $2
                returning id, user_id, tenant_id, currency, available_minor, reserved_minor
            ), h as (
                insert into holds (id, wallet_id, user_id, tenant_id, amount_minor, currency, status, service, reference,
                                   description, api_key_id, expires_at, model_id)
                select $3, id, user_id, tenant_id, $2, currency, 'pending', $4, $5, $6, $7, $8, $10 from w
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
            )
            select * from h""";

    // $1 hold, $2 new status, $3 captured amount, $4 capture journal id, $5 release journal id.
    // Only a pending hold moves, and only once: a second resolver finds no pending row.
    private static final String RESOLVE = """
            with h as (
                update holds set status = $2, captured_minor = $3, resolved_at = now()
                where id = $1 and status = 'pending' and $3 <= amount_minor
                returning\s""" + HOLD_COLUMNS + """
            ), w as (
                update wallets set reserved_minor = wallets.reserved_minor - h.amount_minor,
                                   available_minor = wallets.available_minor + (h.amount_minor - $3), updated_at = now()
                from h where wallets.id = h.wallet_id
                returning wallets.id, wallets.user_id, wallets.tenant_id, wallets.currency, wallets.available_minor,
                          wallets.reserved_minor, h.amount_minor - $3 as released
            ), jc as (
                insert into journal (id, wallet_id, user_id, tenant_id, type, amount_minor, reserved_change_minor,
                                     balance_after_minor, reserved_after_minor, currency, reference_type, reference_id,
                                     description, created_at)
                select $4, w.id, w.user_id, w.tenant_id, 'capture', 0, -$3, w.available_minor - w.released,
                       w.reserved_minor + w.released, w.currency, 'hold', $1::text, h.description, now()
                from w, h where $3 > 0
            ), jr as (
                insert into journal (id, wallet_id, user_id, tenant_id, type, amount_minor, reserved_change_minor,
                                     balance_after_minor, reserved_after_minor, currency, reference_type, reference_id,
                                     description, created_at)
                select $5, w.id, w.user_id, w.tenant_id, 'release', w.released, -w.released, w.available_minor,
                       w.reserved_minor, w.currency, 'hold', $1::text, h.description, clock_timestamp() + interval '1 microsecond'
                from w, h where w.released > 0
            ), p as (
                insert into postings (journal_id, account, amount_minor, currency)
                select $4, 'wallet:' || w.id || ':reserved', -$3, w.currency from w where $3 > 0
                union all select $4, 'platform:revenue', $3, w.currency from w where $3 > 0
                union all select $5, 'wallet:' || w.id || ':reserved', -w.released, w.currency from w where w.released > 0
                union all select $5, 'wallet:' || w.id || ':available', w.released, w.currency from w where w.released > 0
            ), o as (
                insert into outbox (id, topic, aggregate_id, type, source, subject, payload, occurred_at)
                select gen_random_uuid(), 'billing.events', h.id::text,
                       case when $3 > 0 then '{CAPTURED}' else '{VOIDED}' end,
                       'urn:tollgate:billing-svc', 'holds/' || h.id,
                       case when $3 > 0
                            then jsonb_build_object('user_id', h.user_id, 'tenant_id', h.tenant_id, 'hold_id', h.id,
                                                    'captured_minor', $3::bigint, 'released_minor', w.released,
                                                    'currency', trim(h.currency), 'service', h.service,
                                                    'reference', h.reference, 'occurred_at', now())
                            else jsonb_build_object('user_id', h.user_id, 'tenant_id', h.tenant_id, 'hold_id', h.id,
                                                    'released_minor', w.released, 'currency', trim(h.currency),
                                                    'service', h.service, 'reference', h.reference, 'reason', $2::text,
                                                    'occurred_at', now())
                       end,
                       now()
                from h, w
                returning id
            ), n as (
                select pg_notify('{CHANNEL}', '') from o
            )
            select h.*, w.released from h, w, n""".replace("{CAPTURED}", HoldCaptured.TYPE).replace("{VOIDED}", HoldVoided.TYPE)
            .replace("{CHANNEL}", Outbox.CHANNEL);

    private final Ledger ledger;
    private final Alerts alerts;
    private final Clock clock;

    public Holds(Ledger ledger, Alerts alerts, Clock clock) {
        this.ledger = ledger;
        this.alerts = alerts;
        this.clock = clock;
    }

    public Uni<Hold> place(NewHold request) {
        return ledger.wallet(request.userId(), request.tenantId(), request.currency()).chain(wallet -> {
            if (!wallet.tenantId().equals(request.tenantId())) {
                return Uni.createFrom().failure(ProblemException.notFound("wallet"));
            }
            UUID id = UUID.randomUUID();
            Tuple args = Tuple.tuple().addUUID(wallet.walletId()).addLong(request.amountMinor()).addUUID(id)
                    .addString(request.service()).addString(request.reference()).addString(request.description())
                    .addUUID(request.apiKeyId())
                    .addOffsetDateTime(OffsetDateTime.ofInstant(clock.instant().plus(request.ttl()), ZoneOffset.UTC))
                    .addUUID(UUID.randomUUID()).addString(request.modelId());
            return ledger.pool().preparedQuery(PLACE).execute(args).chain(rows -> rows.size() == 1
                    ? alerts.check(ledger.pool(), wallet.walletId()).replaceWith(Hold.of(rows.iterator().next()))
                    : ledger.pool().preparedQuery("select available_minor from wallets where id = $1")
                            .execute(Tuple.of(wallet.walletId()))
                            .map(found -> {
                                throw Ledger.insufficient(request.amountMinor(),
                                        found.iterator().next().getLong("available_minor"));
                            }));
        });
    }

    public Uni<Hold> find(UUID id) {
        return ledger.pool().preparedQuery("select " + HOLD_COLUMNS + " from holds where id = $1").execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("hold");
                    }
                    return Hold.of(rows.iterator().next());
                });
    }

    /** Captures {@code amountMinor} (null: all of it); the rest goes back to the available balance. */
    /** Records the model a hold paid for when its service only says so at the end (render's completed event). */
    public Uni<Void> model(UUID id, String modelId) {
        return modelId == null ? Uni.createFrom().voidItem()
                : ledger.pool().preparedQuery("update holds set model_id = $2 where id = $1 and model_id is null")
                        .execute(Tuple.of(id, modelId)).replaceWithVoid();
    }

    public Uni<Hold> capture(UUID id, Long amountMinor) {
        return find(id).chain(hold -> {
            long amount = amountMinor == null ? hold.amountMinor() : amountMinor;
            if (amount <= 0) {
                return Uni.createFrom().failure(ProblemException.validation("amount_minor", "must be greater than 0"));
            }
            if (amount > hold.amountMinor()) {
                return Uni.createFrom().failure(ProblemException.unprocessable("CAPTURE_EXCEEDS_HOLD",
                        "The hold is for " + hold.amountMinor() + "; " + amount + " cannot be captured.")
                        .with("held", hold.amountMinor()));
            }
            return resolve(id, amount == hold.amountMinor() ? "captured" : "partially_captured", amount, "capture");
        });
    }

    public Uni<Hold> voidHold(UUID id) {
        return resolve(id, "voided", 0, "void");
    }

    /**
     * One statement, so the wallet row is locked only while it runs (a transaction of several round
     * trips would hold it across each of them): the hold, the wallet, the journal, the postings and
     * the event row with its wake-up of the relay. The event's JSON is built in SQL; the tests
     * validate it against its schema.
     */
    private Uni<Hold> resolve(UUID id, String status, long captured, String action) {
        return ledger.pool().preparedQuery(RESOLVE)
                .execute(Tuple.of(id, status, captured, UUID.randomUUID(), UUID.randomUUID()))
                .map(rows -> rows.size() == 0 ? null : Hold.of(rows.iterator().next()))
                .call(hold -> hold == null ? Uni.createFrom().voidItem() : alerts.check(ledger.pool(), hold.walletId()))
                .chain(hold -> hold != null ? Uni.createFrom().item(hold) : find(id).map(current -> {
                    throw alreadyResolved(current, action);
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
                .onItem().transformToUniAndConcatenate(row -> resolve(row.getUUID("id"), "expired", 0, "expire")
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
