package io.tollgate.kit.outbox;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.kit.concurrent.NotifiedLoop;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes unsent outbox rows. Rows are claimed with {@code FOR UPDATE SKIP LOCKED} so several
 * instances share the work, sent to Kafka keyed by aggregate id, and marked sent in the same
 * transaction only after every send of the batch was acknowledged. While Kafka is down the batch
 * rolls back and the rows simply wait.
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
    private static final String CLAIM = """
            select id, topic, aggregate_id, type, source, subject, payload::text as payload, occurred_at
            from outbox where sent_at is null order by created_at limit $1 for update skip locked""";
    private static final String MARK_SENT = "update outbox set sent_at = now(), attempts = attempts + 1 where id = any($1)";
    private static final String MARK_FAILED = "update outbox set attempts = attempts + 1, last_error = $2 where id = any($1)";
    /** How long after an append the relay keeps looking for its row (the transaction may commit later). */
    private static final Duration FOLLOW_UP = Duration.ofMillis(250);
    private static final String PURGE = "delete from outbox where sent_at < now() - make_interval(days => $1)";

    private final Pool pool;
    private final CloudEventProducer producer;
    private final boolean enabled;
    private final int batchSize;
    private final int retentionDays;
    private final Counter published;
    private final Counter failures;
    private final Vertx vertx;
    private final Duration interval;
    private final boolean validate;
    private NotifiedLoop loop;
    private final AtomicLong appends = new AtomicLong();
    private volatile long lastAppend = System.nanoTime() - FOLLOW_UP.toNanos();
    private long followUpDelay;

    public OutboxRelay(Pool pool, CloudEventProducer producer, MeterRegistry registry, Vertx vertx,
                       @ConfigProperty(name = "tollgate.outbox.relay.interval", defaultValue = "1s") Duration interval,
                       @ConfigProperty(name = "tollgate.outbox.relay.enabled", defaultValue = "true") boolean enabled,
                       @ConfigProperty(name = "tollgate.outbox.relay.batch-size", defaultValue = "200") int batchSize,
                       @ConfigProperty(name = "tollgate.outbox.retention-days", defaultValue = "7") int retentionDays,
                       @ConfigProperty(name = "tollgate.outbox.validate", defaultValue = "false") boolean validate) {
        this.validate = validate;
        this.pool = pool;
        this.producer = producer;
        this.enabled = enabled;
        this.batchSize = batchSize;
        this.retentionDays = retentionDays;
        this.published = registry.counter("tollgate.outbox.published");
        this.failures = registry.counter("tollgate.outbox.failures");
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

    /** Publishes one batch; returns how many rows were marked sent. */
    public int relayBatch() {
        SqlConnection connection = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        try {
            Transaction tx = connection.begin().await().atMost(Duration.ofSeconds(10));
            List<Row> rows = new ArrayList<>();
            connection.preparedQuery(CLAIM).execute(Tuple.of(batchSize)).await().atMost(Duration.ofSeconds(10))
                    .forEach(rows::add);
            if (rows.isEmpty()) {
                tx.commit().await().atMost(Duration.ofSeconds(10));
                return 0;
            }
            if (validate) {
                rows = withoutInvalid(connection, rows);
            }
            UUID[] ids = rows.stream().map(r -> r.getUUID("id")).toArray(UUID[]::new);
            try {
                List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
                for (Row row : rows) {
                    acks.add(producer.send(row.getString("topic"), row.getString("aggregate_id"), toCloudEvent(row)));
                }
                long deadline = System.nanoTime() + producer.sendTimeout().toNanos();
                for (Future<RecordMetadata> ack : acks) {
                    ack.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
            } catch (Exception e) {
                tx.rollback().await().atMost(Duration.ofSeconds(10));
                producer.reset();
                failures.increment();
                String reason = e.getCause() != null ? e.getCause().toString() : e.toString();
                connection.preparedQuery(MARK_FAILED).execute(Tuple.of(ids, truncate(reason)))
                        .await().atMost(Duration.ofSeconds(10));
                throw new IllegalStateException("Kafka did not acknowledge " + rows.size() + " event(s): " + reason, e);
            }
            connection.preparedQuery(MARK_SENT).execute(Tuple.of(ids)).await().atMost(Duration.ofSeconds(10));
            tx.commit().await().atMost(Duration.ofSeconds(10));
            published.increment(rows.size());
            return rows.size();
        } finally {
            connection.close().await().atMost(Duration.ofSeconds(10));
        }
    }

    /**
     * With {@code tollgate.outbox.validate} (the tests turn it on), a row whose payload breaks its
     * event's schema is not published: it stays unsent with the violations as its error, and is
     * logged, so a producer that drifted from its contract (Java or SQL-built) fails the tests that
     * wait for its event instead of reaching consumers.
     */
    private List<Row> withoutInvalid(SqlConnection connection, List<Row> rows) {
        List<Row> valid = new ArrayList<>(rows.size());
        for (Row row : rows) {
            List<String> violations = EventSchemas.violations(row.getString("type"),
                    row.getString("payload").getBytes(StandardCharsets.UTF_8));
            if (violations.isEmpty()) {
                valid.add(row);
            } else {
                LOG.errorf("outbox event %s of type %s breaks its schema, not published: %s", row.getUUID("id"),
                        row.getString("type"), violations);
                connection.preparedQuery(MARK_FAILED).execute(Tuple.of(new UUID[] {row.getUUID("id")},
                        truncate("breaks its schema: " + violations))).await().atMost(Duration.ofSeconds(10));
            }
        }
        return valid;
    }

    @Scheduled(identity = "outbox-purge", every = "1h", delayed = "1m")
    void purge() {
        pool.preparedQuery(PURGE).execute(Tuple.of(retentionDays)).await().atMost(Duration.ofSeconds(60));
    }

    static CloudEvent toCloudEvent(Row row) {
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
        return builder.build();
    }

    private static String truncate(String text) {
        return text.length() <= 500 ? text : text.substring(0, 500);
    }
}
