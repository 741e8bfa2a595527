package io.tollgate.notification.webhooks;

import io.tollgate.contracts.notification.WebhookEndpointDisabled;
import io.tollgate.kit.outbox.Outbox;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

/**
 * Writes what an attempt found out, in one statement per attempt: the attempt row, the delivery's
 * new state and the endpoint's health. A write counts only while the claim's lease is still the
 * delivery's; a worker that lost its lease (it stalled past it and another worker took the row)
 * writes nothing. Also switches endpoints off, telling their owner.
 */
@ApplicationScoped
public class DeliveryLog {

    private static final Logger LOG = Logger.getLogger(DeliveryLog.class);
    private static final Duration AWAIT = Duration.ofSeconds(30);

    // The endpoint row is written only when its health changes (or once a second): every delivery
    // to one busy endpoint writing it would queue them all on that row's lock.
    static final String RECORD = """
            with d as (
                update webhook_deliveries set status = $3, attempts = attempts + 1, next_attempt_at = $4, locked_until = null,
                       lease_id = null, last_status_code = $5, last_error = $6, updated_at = $7
                where id = $1 and lease_id = $2
                returning id, endpoint_id, attempts),
            a as (
                insert into webhook_attempts (delivery_id, attempt, status_code, response_body, duration_ms, error, attempted_at)
                select d.id, d.attempts, $5, $8, $9, $6, $10 from d),
            e as (
                update webhook_endpoints e
                set consecutive_failures = case when $11 then 0 else e.consecutive_failures + 1 end,
                    failing_since = case when $11 then null else coalesce(e.failing_since, $10) end,
                    last_attempt_at = $10, last_status_code = $5
                from d where e.id = d.endpoint_id and e.kind = 'endpoint'
                  and (not $11 or e.consecutive_failures > 0 or e.last_status_code is distinct from $5
                       or e.last_attempt_at is null or e.last_attempt_at < $10 - interval '1 second')
                returning e.id, e.active, e.failing_since)
            select d.endpoint_id as id, d.attempts, e.active, e.failing_since from d left join e on true""";

    static final String DISABLE = """
            with e as (
                update webhook_endpoints set active = false, disabled_reason = $2, updated_at = $3
                where id = $1 and active
                returning id, tenant_id, user_id, url, consecutive_failures),
            d as (
                update webhook_deliveries set status = 'failed', next_attempt_at = null, last_error = 'endpoint disabled',
                       updated_at = $3
                where endpoint_id in (select id from e) and status in ('pending', 'retrying')
                  and (locked_until is null or locked_until < $3))
            select * from e""";

    static final String NOTIFY_OWNER = """
            insert into notifications (id, user_id, tenant_id, category, severity, title, body, action_url, action_label,
                                       source_event, created_at)
            values ($1, $2, $3, 'webhooks', 'error', 'Webhook endpoint disabled', $4, $5, 'Review endpoint', $6, $7)""";

    /** What became of the delivery after an attempt. */
    public record Recorded(int attempt, String status, Instant nextAttemptAt, boolean endpointDisabled) {
    }

    private final Pool pool;
    private final Outbox outbox;
    private final Clock clock;
    private final Duration disableAfter;
    private final SecureRandom random = new SecureRandom();

    public DeliveryLog(Pool pool, Outbox outbox, Clock clock,
                       @ConfigProperty(name = "tollgate.notification.webhooks.disable-after", defaultValue = "5d") Duration disableAfter) {
        this.pool = pool;
        this.outbox = outbox;
        this.clock = clock;
        this.disableAfter = disableAfter;
    }

    /**
     * Records an attempt made under {@code leaseId}. {@code attempt} is the number this one had;
     * {@code retry} false makes a failure final (test events are tried once). Empty when the lease
     * was lost and nothing was written.
     */
    public Optional<Recorded> record(UUID deliveryId, UUID leaseId, int attempt, boolean retry, WebhookSender.Outcome outcome,
                                     Instant attemptedAt) {
        Instant now = clock.instant();
        boolean ok = outcome.succeeded();
        boolean gone = outcome.statusCode() != null && outcome.statusCode() == 410;
        Optional<Instant> next = ok || gone || !retry ? Optional.empty()
                : RetrySchedule.next(attempt, now, RetrySchedule.parseRetryAfter(outcome.retryAfter(), now), random);
        String status = ok ? "succeeded" : next.isPresent() ? "retrying" : "failed";
        RowSet<Row> rows = pool.preparedQuery(RECORD).execute(Tuple.from(new Object[] {
                deliveryId, leaseId, status, next.map(DeliveryLog::utc).orElse(null), outcome.statusCode(),
                outcome.error() != null ? outcome.error() : ok ? null : "HTTP " + outcome.statusCode(),
                utc(now), outcome.body(), outcome.durationMs(), utc(attemptedAt), ok})).await().atMost(AWAIT);
        if (rows.size() == 0) {
            return Optional.empty();
        }
        Row row = rows.iterator().next();
        boolean disabled = false;
        if (Boolean.TRUE.equals(row.getBoolean("active"))) {
            OffsetDateTime failingSince = row.getOffsetDateTime("failing_since");
            if (gone) {
                disabled = disable(row.getUUID("id"), WebhookEndpointDisabled.REASON_GONE);
            } else if (failingSince != null && !failingSince.toInstant().isAfter(now.minus(disableAfter))) {
                disabled = disable(row.getUUID("id"), WebhookEndpointDisabled.REASON_FAILING);
            }
        }
        return Optional.of(new Recorded(row.getInteger("attempts"), status, next.orElse(null), disabled));
    }

    /**
     * Switches an endpoint off once: its queued deliveries fail, its owner gets an in-app notice and
     * {@code endpoint_disabled} is published, all in one transaction. False when it was already off.
     */
    public boolean disable(UUID endpointId, String reason) {
        Instant now = clock.instant();
        return pool.withTransaction(tx -> tx.preparedQuery(DISABLE).execute(Tuple.of(endpointId, reason, utc(now)))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        return io.smallrye.mutiny.Uni.createFrom().item(false);
                    }
                    Row e = rows.iterator().next();
                    UUID user = e.getUUID("user_id");
                    String url = e.getString("url");
                    WebhookEndpointDisabled event = new WebhookEndpointDisabled(endpointId, e.getUUID("tenant_id"), user, url, reason,
                            e.getInteger("consecutive_failures"), now);
                    LOG.infof("webhook endpoint %s disabled (%s)", endpointId, reason);
                    var notice = user == null ? io.smallrye.mutiny.Uni.createFrom().voidItem()
                            : tx.preparedQuery(NOTIFY_OWNER).execute(Tuple.from(new Object[] {UUID.randomUUID(), user,
                                    e.getUUID("tenant_id"), explain(url, reason), "/v1/webhooks/" + endpointId,
                                    "webhook-disabled:" + endpointId + ":" + now.toEpochMilli(), utc(now)})).replaceWithVoid();
                    return notice.chain(() -> outbox.append(tx, endpointId.toString(), "webhook-endpoint/" + endpointId, event))
                            .replaceWith(true);
                })).await().atMost(AWAIT);
    }

    private static String explain(String url, String reason) {
        return WebhookEndpointDisabled.REASON_GONE.equals(reason)
                ? "Your endpoint " + url + " answered 410 Gone, so we stopped sending to it. Re-enable it once it accepts events again."
                : "Every delivery to " + url + " has failed for five days, so we stopped sending to it. Fix the receiver, then re-enable"
                        + " it and redeliver what it missed.";
    }

    static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
