package io.tollgate.notification.webhooks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tollgate.kit.concurrent.NotifiedLoop;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;

/**
 * Sends queued deliveries. The queue is the {@code webhook_deliveries} table: due rows are claimed
 * with {@code FOR UPDATE SKIP LOCKED} and leased for {@code lease} (a fresh lease id each time), so
 * any number of instances share the work and a killed worker's rows come back when its lease runs
 * out. Each claimed delivery is sent on its own virtual thread, at most {@code concurrency} at once.
 * A trigger's {@code NOTIFY} wakes the loop ({@link NotifiedLoop}) when deliveries are queued; it
 * also polls.
 *
 * <p>Nothing is lost: a row leaves the queue only by the statement that records its attempt. What
 * a crash can cause is one extra send of a message whose answer was not yet written; receivers
 * dedupe on {@code webhook-id}, which is the same on every attempt.
 */
@ApplicationScoped
public class DeliveryWorker {

    private static final Logger LOG = Logger.getLogger(DeliveryWorker.class);
    static final String CHANNEL = "tollgate_webhooks";
    private static final Duration AWAIT = Duration.ofSeconds(30);

    static final String CLAIM = """
            with due as (
                select d.id from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
                where d.status in ('pending', 'retrying') and d.next_attempt_at <= $1
                  and (d.locked_until is null or d.locked_until < $1) and e.active
                order by d.next_attempt_at
                limit $2
                for update of d skip locked)
            update webhook_deliveries d set locked_until = $3, lease_id = gen_random_uuid(), updated_at = $1
            from due, webhook_endpoints e, webhook_messages m
            where d.id = due.id and e.id = d.endpoint_id and m.id = d.message_id
            returning d.id, d.lease_id, d.attempts, d.message_id, d.endpoint_id, coalesce(d.url, e.url) as url, e.secret,
                      case when e.previous_secret_until > $1 then e.previous_secret end as previous_secret, m.payload""";

    private final Pool pool;
    private final Vertx vertx;
    private final WebhookSender sender;
    private final DeliveryLog log;
    private final WebhookSecrets secrets;
    private final Clock clock;
    private final boolean enabled;
    private final Duration interval;
    private final Duration lease;
    private final Semaphore slots;
    private final Counter sent;
    private final Counter failed;
    private final Timer attempts;
    private NotifiedLoop loop;

    public DeliveryWorker(Pool pool, Vertx vertx, WebhookSender sender, DeliveryLog log, WebhookSecrets secrets, Clock clock,
                          MeterRegistry registry,
                          @ConfigProperty(name = "tollgate.notification.webhooks.worker.enabled", defaultValue = "true") boolean enabled,
                          @ConfigProperty(name = "tollgate.notification.webhooks.worker.interval", defaultValue = "1s") Duration interval,
                          @ConfigProperty(name = "tollgate.notification.webhooks.worker.lease", defaultValue = "60s") Duration lease,
                          @ConfigProperty(name = "tollgate.notification.webhooks.worker.concurrency", defaultValue = "256") int concurrency) {
        this.pool = pool;
        this.vertx = vertx;
        this.sender = sender;
        this.log = log;
        this.secrets = secrets;
        this.clock = clock;
        this.enabled = enabled;
        this.interval = interval;
        this.lease = lease;
        this.slots = new Semaphore(concurrency);
        this.sent = registry.counter("tollgate.webhooks.deliveries", "outcome", "succeeded");
        this.failed = registry.counter("tollgate.webhooks.deliveries", "outcome", "failed");
        this.attempts = registry.timer("tollgate.webhooks.attempt");
    }

    void start(@Observes StartupEvent event,
               @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
               @ConfigProperty(name = "quarkus.datasource.username") String user,
               @ConfigProperty(name = "quarkus.datasource.password") String password) {
        if (enabled) {
            loop = NotifiedLoop.start(vertx, url, user, password, CHANNEL, "webhook-worker", interval, () -> dispatch() > 0, LOG);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.stop();
        }
    }

    /** Wakes the loop now (for example after a redelivery was queued). */
    public void nudge() {
        if (loop != null) {
            loop.nudge();
        }
    }

    /** Claims as many due deliveries as there are free slots and starts them; returns how many. */
    int dispatch() throws InterruptedException {
        slots.acquire();
        int free = 1 + slots.drainPermits();
        List<Claimed> batch;
        try {
            batch = claim(Math.min(free, 200));
        } catch (RuntimeException e) {
            slots.release(free);
            throw e;
        }
        slots.release(free - batch.size());
        for (Claimed c : batch) {
            Thread.ofVirtual().name("webhook-" + c.id()).start(() -> {
                try {
                    deliver(c);
                } finally {
                    slots.release();
                }
            });
        }
        return batch.size();
    }

    record Claimed(UUID id, UUID leaseId, int attempts, UUID messageId, String url, String secret, String previousSecret,
                   String payload) {
    }

    List<Claimed> claim(int limit) {
        return claim(limit, clock.instant());
    }

    /** Claims what is due at {@code now}: the rows are this claim's until {@code now + lease}. */
    List<Claimed> claim(int limit, Instant now) {
        List<Claimed> batch = new ArrayList<>();
        for (Row r : pool.preparedQuery(CLAIM).execute(Tuple.of(utc(now), limit, utc(now.plus(lease)))).await().atMost(AWAIT)) {
            batch.add(new Claimed(r.getUUID("id"), r.getUUID("lease_id"), r.getInteger("attempts"), r.getUUID("message_id"),
                    r.getString("url"), secrets.open(r.getString("secret"), r.getUUID("endpoint_id")),
                    secrets.open(r.getString("previous_secret"), r.getUUID("endpoint_id")), r.getString("payload")));
        }
        return batch;
    }

    private void deliver(Claimed c) {
        try {
            Instant at = clock.instant();
            WebhookSender.Outcome outcome = sender.send(new WebhookSender.Request(c.url(), messageId(c.messageId()), c.payload(),
                    c.secret(), c.previousSecret()));
            attempts.record(Duration.ofMillis(outcome.durationMs()));
            (outcome.succeeded() ? sent : failed).increment();
            log.record(c.id(), c.leaseId(), c.attempts() + 1, true, outcome, at);
        } catch (RuntimeException e) {
            // the lease runs out and the delivery is tried again
            LOG.warnf("webhook delivery %s not recorded: %s", c.id(), e.getMessage());
        }
    }

    /** The {@code webhook-id} of a message: the same on every attempt and redelivery. */
    public static String messageId(UUID message) {
        return "msg_" + message.toString().replace("-", "");
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
