package io.tollgate.kit.outbox;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.rw.CloudEventRWException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.kit.concurrent.NotifiedLoop;
import io.tollgate.kit.tracing.EventTracing;
import io.opentelemetry.api.trace.Span;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes unsent outbox rows to Kafka, keyed by aggregate id, and marks them sent in the same
 * transaction only after Kafka acknowledged them. While Kafka is down the rows simply wait.
 *
 * <p><b>Order.</b> Rows leave in the order they were appended ({@code seq}), and only one relay in
 * the whole fleet publishes at a time: every batch first takes a transaction-level advisory lock
 * ({@code pg_try_advisory_xact_lock}) in the service's database and holds it through the sends and
 * the marks, so with any number of replicas one batch runs, and the next starts only after the
 * previous one's acknowledgements and commit. An aggregate's events therefore reach its partition
 * in their order. A relay that finds the lock taken skips its turn (another instance is publishing
 * the same rows). One active publisher per database is plenty (a batch is 200 rows in a few ms);
 * claims by aggregate partition would scale further but must hand partitions over between replicas
 * without ever letting two publish one aggregate, which this does not need to solve.
 *
 * <p><b>Poison rows.</b> A row Kafka refuses for itself (too large, an invalid topic, a body that
 * breaks its schema with {@code tollgate.outbox.validate}, a row that cannot become a CloudEvent)
 * counts a rejection, is logged and does not hold up other aggregates; later rows of its own
 * aggregate wait behind it in that batch, so its order holds. After
 * {@code tollgate.outbox.relay.max-rejections} the row is parked ({@code parked_at}, metric
 * {@code tollgate.outbox.parked}, gauge {@code tollgate.outbox.parked_rows}) and the rest of its
 * aggregate flows. A failure that is not the row's own (the broker is gone, a timeout) rejects
 * nothing: the rows are retried, with backoff, until Kafka is back.
 *
 * <p>One relay thread per instance ({@link NotifiedLoop}) polls at {@code tollgate.outbox.relay.interval}.
 * Appends in this process wake it directly ({@link #appended()}); it then looks again at 1, 2, 4 ...
 * 128 ms for rows whose transaction commits after the append, so events leave within milliseconds
 * without a busy poll. Writers elsewhere may {@code NOTIFY} {@link Outbox#CHANNEL}, which wakes it
 * too. Appends do not {@code NOTIFY} themselves: PostgreSQL serialises the commits of notifying
 * transactions (one global lock held across the commit's WAL flush), which cut the commit rate of
 * small writes to a third on the reference machine.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** The advisory lock of "the relay of this database" ("tollgate" in ASCII). */
    static final long RELAY_LOCK = 0x746f6c6c67617465L;
    /** {@link #relayBatch()} when another relay holds the lock. */
    public static final int BUSY = -1;
    private static final String LOCK = "select pg_try_advisory_xact_lock($1) as locked";
    private static final String CLAIM = """
            select id, topic, aggregate_id, type, source, subject, payload::text as payload, occurred_at, rejections,
                   traceparent, request_id
            from outbox where sent_at is null and parked_at is null order by seq limit $1 for update skip locked""";
    private static final String MARK_SENT = "update outbox set sent_at = now(), attempts = attempts + 1 where id = any($1)";
    private static final String MARK_FAILED = "update outbox set attempts = attempts + 1, last_error = $2 where id = any($1)";
    private static final String MARK_REJECTED = """
            update outbox set attempts = attempts + 1, rejections = rejections + 1, last_error = $2,
                              parked_at = case when rejections + 1 >= $3 then now() end
             where id = $1 returning parked_at is not null as parked""";
    private static final String COUNT_PARKED = "select count(*) from outbox where parked_at is not null and sent_at is null";
    /** How long after an append the relay keeps looking for its row (the transaction may commit later). */
    private static final Duration FOLLOW_UP = Duration.ofMillis(250);
    private static final String PURGE = "delete from outbox where sent_at < now() - make_interval(days => $1)";

    private final Pool pool;
    private final CloudEventProducer producer;
    private final EventTracing tracing;
    private final boolean enabled;
    private final int batchSize;
    private final int retentionDays;
    private final int maxRejections;
    private final Counter published;
    private final Counter failures;
    private final Counter rejected;
    private final Counter parked;
    private final AtomicLong parkedRows = new AtomicLong();
    private final Vertx vertx;
    private final Duration interval;
    private final boolean validate;
    private NotifiedLoop loop;
    private final AtomicLong appends = new AtomicLong();
    private volatile long lastAppend = System.nanoTime() - FOLLOW_UP.toNanos();
    private long followUpDelay;

    public OutboxRelay(Pool pool, CloudEventProducer producer, EventTracing tracing, MeterRegistry registry, Vertx vertx,
                       @ConfigProperty(name = "tollgate.outbox.relay.interval", defaultValue = "1s") Duration interval,
                       @ConfigProperty(name = "tollgate.outbox.relay.enabled", defaultValue = "true") boolean enabled,
                       @ConfigProperty(name = "tollgate.outbox.relay.batch-size", defaultValue = "200") int batchSize,
                       @ConfigProperty(name = "tollgate.outbox.retention-days", defaultValue = "7") int retentionDays,
                       @ConfigProperty(name = "tollgate.outbox.validate", defaultValue = "false") boolean validate,
                       @ConfigProperty(name = "tollgate.outbox.relay.max-rejections", defaultValue = "5") int maxRejections) {
        this.validate = validate;
        this.pool = pool;
        this.producer = producer;
        this.tracing = tracing;
        this.enabled = enabled;
        this.batchSize = batchSize;
        this.retentionDays = retentionDays;
        this.maxRejections = Math.max(1, maxRejections);
        this.published = registry.counter("tollgate.outbox.published");
        this.failures = registry.counter("tollgate.outbox.failures");
        this.rejected = registry.counter("tollgate.outbox.rejected");
        this.parked = registry.counter("tollgate.outbox.parked");
        Gauge.builder("tollgate.outbox.parked_rows", parkedRows, AtomicLong::get)
                .description("outbox rows parked after Kafka refused them, waiting for an operator").register(registry);
        this.vertx = vertx;
        this.interval = interval;
    }

    void start(@Observes StartupEvent event,
               @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
               @ConfigProperty(name = "quarkus.datasource.username") String user,
               @ConfigProperty(name = "quarkus.datasource.password") String password) {
        if (!enabled) {
            return;
        }
        loop = NotifiedLoop.start(vertx, url, user, password, Outbox.CHANNEL, "outbox-relay", interval, this::batch, LOG);
    }

    /**
     * Tells the relay that this process appended outbox rows (committed or about to be): it runs a
     * batch now and keeps looking for a short while in case the transaction commits later.
     */
    public void appended() {
        lastAppend = System.nanoTime();
        appends.incrementAndGet();
        if (loop != null) {
            loop.nudge();
        }
    }

    /** One round of the loop; true to go again at once. */
    private boolean batch() throws InterruptedException {
        long seen = appends.get();
        int sent = relayBatch();
        if (sent == BUSY) {
            // another instance is publishing; our rows go with its batches, or with ours once it is done
            if (System.nanoTime() - lastAppend < FOLLOW_UP.toNanos()) {
                Thread.sleep(10);
                return true;
            }
            return false;
        }
        if (sent == batchSize || appends.get() != seen) {
            followUpDelay = 0;
            return true;
        }
        if (sent > 0) {
            followUpDelay = 0;
        }
        if (System.nanoTime() - lastAppend < FOLLOW_UP.toNanos()) {
            // an append whose transaction has not committed yet: look again shortly, backing off
            followUpDelay = followUpDelay == 0 ? 1 : Math.min(followUpDelay * 2, 128);
            Thread.sleep(followUpDelay);
            return true;
        }
        followUpDelay = 0;
        return false;
    }

    void stop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.stop();
        }
    }

    /** A row on its way: sent and waiting for its acknowledgement. */
    private record Sending(Row row, Future<RecordMetadata> ack, Span span) {
    }

    /**
     * Publishes one batch under the relay lock; returns how many rows were marked sent, or
     * {@link #BUSY} when another relay holds the lock. Throws when Kafka acknowledged none of a
     * batch it could not take (an outage), so that the loop backs off.
     */
    public int relayBatch() {
        SqlConnection connection = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        try {
            Transaction tx = connection.begin().await().atMost(Duration.ofSeconds(10));
            boolean locked = connection.preparedQuery(LOCK).execute(Tuple.of(RELAY_LOCK)).await().atMost(Duration.ofSeconds(10))
                    .iterator().next().getBoolean("locked");
            if (!locked) {
                tx.rollback().await().atMost(Duration.ofSeconds(10));
                return BUSY;
            }
            List<Row> rows = new ArrayList<>();
            connection.preparedQuery(CLAIM).execute(Tuple.of(batchSize)).await().atMost(Duration.ofSeconds(10))
                    .forEach(rows::add);
            if (rows.isEmpty()) {
                tx.commit().await().atMost(Duration.ofSeconds(10));
                return 0;
            }
            // aggregates whose earlier row was refused or failed in this batch: their later rows wait
            Set<String> held = new HashSet<>();
            List<Sending> sending = new ArrayList<>(rows.size());
            List<UUID> sent = new ArrayList<>();
            List<UUID> retry = new ArrayList<>();
            String retryReason = null;
            int refused = 0;
            for (Row row : rows) {
                String aggregate = row.getString("topic") + "\n" + row.getString("aggregate_id");
                if (held.contains(aggregate)) {
                    continue;
                }
                Future<RecordMetadata> ack;
                // the publication is a span of the trace the row was written in; the event carries its context on
                Span span = tracing.startSend(row.getString("topic"), row.getUUID("id").toString(), row.getString("type"),
                        row.getString("aggregate_id"), row.getString("traceparent"), row.getString("request_id"));
                try {
                    if (validate) {
                        List<String> violations = EventSchemas.violations(row.getString("type"),
                                row.getString("payload").getBytes(StandardCharsets.UTF_8));
                        if (!violations.isEmpty()) {
                            throw new PoisonRow("breaks its schema: " + violations);
                        }
                    }
                    ack = producer.send(row.getString("topic"), row.getString("aggregate_id"),
                            toCloudEvent(row, EventTracing.traceparentOf(span), row.getString("request_id")));
                } catch (RuntimeException e) {
                    ack = java.util.concurrent.CompletableFuture.failedFuture(e);
                }
                if (ack.isDone() && failure(ack) != null) {
                    // refused before it left (too large, not serialisable, no CloudEvent): its aggregate waits behind it
                    held.add(aggregate);
                    Throwable cause = failure(ack);
                    EventTracing.failed(span, cause);
                    span.end();
                    if (poison(cause)) {
                        reject(connection, row, cause);
                        refused++;
                    } else {
                        // Kafka cannot be reached (no metadata within max.block.ms): the rest would only wait the same way
                        retry.add(row.getUUID("id"));
                        retryReason = reason(cause);
                        break;
                    }
                    continue;
                }
                sending.add(new Sending(row, ack, span));
            }
            long deadline = System.nanoTime() + producer.sendTimeout().toNanos();
            for (Sending s : sending) {
                String aggregate = s.row().getString("topic") + "\n" + s.row().getString("aggregate_id");
                try {
                    s.ack().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (held.contains(aggregate)) {
                        LOG.warnf("outbox event %s of aggregate %s was published after an earlier event of its aggregate failed",
                                s.row().getUUID("id"), s.row().getString("aggregate_id"));
                    }
                    sent.add(s.row().getUUID("id"));
                    s.span().end();
                } catch (InterruptedException e) {
                    EventTracing.failed(s.span(), e);
                    s.span().end();
                    Thread.currentThread().interrupt();
                    retry.add(s.row().getUUID("id"));
                    retryReason = "interrupted";
                } catch (Exception e) {
                    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                    EventTracing.failed(s.span(), cause);
                    s.span().end();
                    held.add(aggregate);
                    if (poison(cause)) {
                        reject(connection, s.row(), cause);
                        refused++;
                    } else {
                        retry.add(s.row().getUUID("id"));
                        retryReason = reason(cause);
                    }
                }
            }
            if (!sent.isEmpty()) {
                connection.preparedQuery(MARK_SENT).execute(Tuple.of(sent.toArray(UUID[]::new))).await().atMost(Duration.ofSeconds(10));
            }
            if (!retry.isEmpty()) {
                connection.preparedQuery(MARK_FAILED).execute(Tuple.of(retry.toArray(UUID[]::new), truncate(retryReason)))
                        .await().atMost(Duration.ofSeconds(10));
            }
            tx.commit().await().atMost(Duration.ofSeconds(10));
            published.increment(sent.size());
            if (refused > 0) {
                refreshParked();
            }
            if (!retry.isEmpty()) {
                producer.reset();
                failures.increment();
                if (sent.isEmpty()) {
                    throw new IllegalStateException("Kafka did not acknowledge " + retry.size() + " event(s): " + retryReason);
                }
            }
            return sent.size();
        } finally {
            connection.close().await().atMost(Duration.ofSeconds(10));
        }
    }

    /** A row that can never be published as it is. */
    private static final class PoisonRow extends RuntimeException {
        PoisonRow(String message) {
            super(message);
        }
    }

    /**
     * Whether Kafka refused the row itself. Kafka's retriable errors (leader moves, timeouts, an
     * unknown topic while it is being created) and anything else about the broker are not the row's.
     */
    static boolean poison(Throwable cause) {
        return cause instanceof PoisonRow || cause instanceof RecordTooLargeException
                || cause instanceof RecordBatchTooLargeException || cause instanceof SerializationException
                || cause instanceof InvalidTopicException || cause instanceof InvalidRecordException
                || cause instanceof IllegalArgumentException || cause instanceof CloudEventRWException;
    }

    private void reject(SqlConnection connection, Row row, Throwable cause) {
        rejected.increment();
        boolean nowParked = connection.preparedQuery(MARK_REJECTED)
                .execute(Tuple.of(row.getUUID("id"), truncate(reason(cause)), maxRejections)).await().atMost(Duration.ofSeconds(10))
                .iterator().next().getBoolean("parked");
        if (nowParked) {
            parked.increment();
            LOG.errorf("outbox event %s (%s) of aggregate %s refused %d times, parked: %s; the rest of its aggregate goes on. "
                            + "Requeue it with: update outbox set parked_at = null, rejections = 0 where id = '%s'",
                    row.getUUID("id"), row.getString("type"), row.getString("aggregate_id"), row.getInteger("rejections") + 1,
                    reason(cause), row.getUUID("id"));
        } else {
            LOG.warnf("outbox event %s (%s) refused (%d of %d before it is parked): %s", row.getUUID("id"), row.getString("type"),
                    row.getInteger("rejections") + 1, maxRejections, reason(cause));
        }
    }

    private void refreshParked() {
        try {
            parkedRows.set(pool.query(COUNT_PARKED).execute().await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0));
        } catch (RuntimeException e) {
            LOG.debugf("cannot count parked outbox rows: %s", e.getMessage());
        }
    }

    private static Throwable failure(Future<?> done) {
        try {
            done.get(0, TimeUnit.NANOSECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    private static String reason(Throwable cause) {
        return cause.getCause() != null && !(cause instanceof PoisonRow) ? cause + " (" + cause.getCause() + ")" : cause.toString();
    }

    @Scheduled(identity = "outbox-parked", every = "60s", delayed = "30s")
    void countParked() {
        refreshParked();
    }

    @Scheduled(identity = "outbox-purge", every = "1h", delayed = "1m")
    void purge() {
        pool.preparedQuery(PURGE).execute(Tuple.of(retentionDays)).await().atMost(Duration.ofSeconds(60));
    }

    static CloudEvent toCloudEvent(Row row, String traceparent, String requestId) {
        OffsetDateTime time = row.getOffsetDateTime("occurred_at");
        CloudEventBuilder builder = CloudEventBuilder.v1()
                .withId(row.getUUID("id").toString())
                .withType(row.getString("type"))
                .withSource(URI.create(row.getString("source")))
                .withTime(time)
                .withDataContentType("application/json")
                .withData(row.getString("payload").getBytes(StandardCharsets.UTF_8));
        String subject = row.getString("subject");
        if (subject != null) {
            builder.withSubject(subject);
        }
        // CloudEvents' distributed tracing extension, and the request the event came from
        if (traceparent != null) {
            builder.withExtension(EventTracing.TRACEPARENT, traceparent);
        }
        if (requestId != null) {
            builder.withExtension(EventTracing.REQUEST_ID, requestId);
        }
        return builder.build();
    }

    private static String truncate(String text) {
        return text.length() <= 500 ? text : text.substring(0, 500);
    }
}
