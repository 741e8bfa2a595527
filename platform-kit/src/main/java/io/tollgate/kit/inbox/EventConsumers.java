package io.tollgate.kit.inbox;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.faults.Faults;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.tracing.EventTracing;
import io.tollgate.kit.web.RequestId;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one Kafka consumer per {@link EventHandler}, under supervision. Offsets are committed only
 * after the handler's transaction committed (with its {@link Inbox} record), so nothing is skipped
 * and a redelivery changes nothing.
 *
 * <ul>
 *   <li>A failed event is retried with backoff (from {@code tollgate.consumers.retry-backoff},
 *       doubling up to 10 s) while the rest of its partition waits. A failure that says nothing about
 *       the event ({@link Failures#isTransient}: the database is gone, a connection broke) is retried
 *       for as long as it lasts; any other counts, and after {@code tollgate.consumers.max-attempts}
 *       the event goes to {@code dead_letters} with its error and the partition moves on. A record
 *       that is no CloudEvent goes there at once.</li>
 *   <li>A loop that dies (a failed {@code commitSync}, any unexpected error) is restarted with a fresh
 *       Kafka consumer after {@code tollgate.consumers.restart-backoff}, doubling up to 30 s.</li>
 *   <li>{@link #statuses()} feeds the {@code consumers} readiness check: a consumer that is
 *       restarting, or whose loop or current event has made no progress for
 *       {@code tollgate.consumers.stuck-after}, is DOWN.</li>
 *   <li>Metrics per consumer: {@code tollgate.consumer.retries}, {@code .dead_letters},
 *       {@code .restarts} (counters) and {@code .lag} (records behind the end of its partitions).</li>
 * </ul>
 */
@ApplicationScoped
public class EventConsumers {

    private static final Logger LOG = Logger.getLogger(EventConsumers.class);
    /** Fault point for tests, followed by the consumer's name: its loop dies at the top of a cycle. */
    public static final String FAULT_LOOP = "consumers.loop.";
    private static final long MAX_RETRY_BACKOFF_MS = 10_000;
    private static final long MAX_RESTART_BACKOFF_MS = 30_000;

    /** How one consumer is doing, for readiness and operators. */
    public record Status(String consumer, String state, boolean healthy, long lag, int restarts, String lastError) {
    }

    private final Instance<EventHandler> handlers;
    private final Inbox inbox;
    private final DeadLetters deadLetters;
    private final Pool pool;
    private final MeterRegistry registry;
    private final Faults faults;
    private final EventTracing tracing;
    private final String bootstrapServers;
    private final boolean enabled;
    private final int maxAttempts;
    private final Duration retryBackoff;
    private final Duration stuckAfter;
    private final Duration restartBackoff;
    private final List<Supervised> loops = new CopyOnWriteArrayList<>();

    public EventConsumers(Instance<EventHandler> handlers, Inbox inbox, DeadLetters deadLetters, Pool pool, MeterRegistry registry,
                          Faults faults, EventTracing tracing,
                          @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                          @ConfigProperty(name = "tollgate.consumers.enabled", defaultValue = "true") boolean enabled,
                          @ConfigProperty(name = "tollgate.consumers.max-attempts", defaultValue = "5") int maxAttempts,
                          @ConfigProperty(name = "tollgate.consumers.retry-backoff", defaultValue = "200ms") Duration retryBackoff,
                          @ConfigProperty(name = "tollgate.consumers.stuck-after", defaultValue = "60s") Duration stuckAfter,
                          @ConfigProperty(name = "tollgate.consumers.restart-backoff", defaultValue = "1s") Duration restartBackoff) {
        this.handlers = handlers;
        this.inbox = inbox;
        this.deadLetters = deadLetters;
        this.pool = pool;
        this.registry = registry;
        this.faults = faults;
        this.tracing = tracing;
        this.bootstrapServers = bootstrapServers;
        this.enabled = enabled;
        this.maxAttempts = Math.max(1, maxAttempts);
        this.retryBackoff = retryBackoff;
        this.stuckAfter = stuckAfter;
        this.restartBackoff = restartBackoff;
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        for (EventHandler handler : handlers) {
            start(handler);
        }
    }

    /** Starts a consumer for a handler that is not a bean (tests use this). */
    public void start(EventHandler handler) {
        Supervised loop = new Supervised(handler);
        loops.add(loop);
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) {
        loops.forEach(Supervised::stop);
    }

    /** Stops the consumer of one handler (tests use this). */
    public void stop(EventHandler handler) {
        loops.stream().filter(l -> l.handler == handler).forEach(Supervised::stop);
        loops.removeIf(l -> l.handler == handler);
    }

    /** Exposed for tests that need to know the consumers are running. */
    public List<String> running() {
        List<String> names = new ArrayList<>();
        loops.forEach(l -> names.add(l.name));
        return names;
    }

    /** Every consumer's state, for the {@code consumers} readiness check. */
    public List<Status> statuses() {
        List<Status> out = new ArrayList<>();
        long now = System.nanoTime();
        for (Supervised loop : loops) {
            out.add(loop.status(now));
        }
        return out;
    }

    /** The handler behind {@code consumer}: a running one, else a bean of that name. */
    public Optional<EventHandler> handler(String consumer) {
        for (Supervised loop : loops) {
            if (loop.name.equals(consumer)) {
                return Optional.of(loop.handler);
            }
        }
        for (EventHandler handler : handlers) {
            if (handler.consumer().equals(consumer)) {
                return Optional.of(handler);
            }
        }
        return Optional.empty();
    }

    /** What a replay did: the effect was applied now, or the inbox knew the event already. */
    public record Replayed(UUID id, String consumer, String eventId, String outcome) {
    }

    /**
     * Applies a dead letter's event again through its handler, in one transaction with its inbox
     * record and the mark that it was replayed: at most once, however often it is asked. 409
     * {@code DEAD_LETTER_REPLAYED} when it was replayed before, 409 {@code REPLAY_FAILED} when the
     * event failed again (its dead letter then holds the new error).
     */
    public Uni<Replayed> replay(UUID id) {
        return pool.withTransaction(tx -> deadLetters.one(tx, id, true).chain(letter -> {
                    if (letter.replayedAt() != null) {
                        throw ProblemException.conflict("DEAD_LETTER_REPLAYED", "This dead letter was replayed at "
                                + letter.replayedAt() + ".");
                    }
                    if (DeadLetters.NOT_A_CLOUDEVENT.equals(letter.eventType())) {
                        throw ProblemException.unprocessable("DEAD_LETTER_NOT_REPLAYABLE",
                                "The record is no CloudEvent; no handler can read it.");
                    }
                    EventHandler handler = handler(letter.consumer()).orElseThrow(() -> ProblemException.conflict(
                            "CONSUMER_UNKNOWN", "No consumer " + letter.consumer() + " runs in this service."));
                    ConsumedEvent event = letter.event();
                    return inbox.once(tx, handler.consumer(), event.id(), event.type(),
                                    () -> handler.accepts(event.type()) ? handler.apply(event, tx) : Uni.createFrom().voidItem())
                            .call(() -> deadLetters.replayed(tx, id))
                            .map(applied -> new Replayed(id, letter.consumer(), letter.eventId(), applied ? "applied" : "duplicate"));
                }))
                .onFailure(e -> !(e instanceof ProblemException))
                .call(e -> deadLetters.failedAgain(id, Failures.describe(e)).onFailure().recoverWithNull())
                .onFailure(e -> !(e instanceof ProblemException))
                .transform(e -> ProblemException.conflict("REPLAY_FAILED", "The event failed again; its dead letter holds the error."));
    }

    /** One consumer's retry state for the event at the head of a partition. */
    private static final class Failing {
        final long offset;
        final long sinceNanos = System.nanoTime();
        int counted;
        int tries;

        Failing(long offset) {
            this.offset = offset;
        }
    }

    /** One handler's consumer, restarted whenever its loop dies, until it is stopped. */
    private final class Supervised implements Runnable {
        private final EventHandler handler;
        private final String name;
        private final CountDownLatch stopped = new CountDownLatch(1);
        private final AtomicLong lag = new AtomicLong();
        private final Counter retries;
        private final Counter dead;
        private final Counter restartCount;
        private final Gauge lagGauge;
        private volatile boolean running = true;
        private volatile String state = "starting";
        private volatile long progressNanos = System.nanoTime();
        private volatile long failingSinceNanos;
        private volatile String lastError;
        private volatile int restarts;
        private volatile KafkaConsumer<String, byte[]> consumer;
        private long restartDelayMs;

        Supervised(EventHandler handler) {
            this.handler = handler;
            this.name = handler.consumer();
            this.retries = registry.counter("tollgate.consumer.retries", "consumer", name);
            this.dead = registry.counter("tollgate.consumer.dead_letters", "consumer", name);
            this.restartCount = registry.counter("tollgate.consumer.restarts", "consumer", name);
            this.lagGauge = Gauge.builder("tollgate.consumer.lag", lag, AtomicLong::get).tag("consumer", name)
                    .description("records behind the end of the consumer's partitions").register(registry);
            this.restartDelayMs = restartBackoff.toMillis();
        }

        void start() {
            Thread.ofPlatform().name("consumer-" + name).daemon().start(this);
        }

        void stop() {
            running = false;
            stopped.countDown();
            KafkaConsumer<String, byte[]> current = consumer;
            if (current != null) {
                current.wakeup();
            }
            registry.remove(lagGauge);
        }

        Status status(long now) {
            String current = state;
            long stuckNanos = stuckAfter.toNanos();
            boolean stuckLoop = now - progressNanos > stuckNanos;
            long failing = failingSinceNanos;
            boolean stuckEvent = failing != 0 && now - failing > stuckNanos;
            boolean healthy = running && !"restarting".equals(current) && !stuckLoop && !stuckEvent;
            String shown = !running ? "stopped" : stuckLoop ? current + ", no progress for "
                    + Duration.ofNanos(now - progressNanos).toSeconds() + " s" : stuckEvent ? current + ", one event failing for "
                    + Duration.ofNanos(now - failing).toSeconds() + " s" : current;
            return new Status(name, shown, healthy, lag.get(), restarts, lastError);
        }

        @Override
        public void run() {
            while (running) {
                try {
                    cycle();
                } catch (WakeupException e) {
                    // stop() was called
                } catch (Throwable e) {
                    if (!running) {
                        break;
                    }
                    restarts++;
                    restartCount.increment();
                    state = "restarting";
                    lastError = Failures.describe(e);
                    LOG.errorf(e, "consumer %s died; restarting it in %d ms", name, restartDelayMs);
                    if (pause(restartDelayMs)) {
                        break;
                    }
                    restartDelayMs = Math.min(restartDelayMs * 2, MAX_RESTART_BACKOFF_MS);
                    progressNanos = System.nanoTime();
                }
            }
            state = "stopped";
        }

        /** True when stopped while pausing. */
        private boolean pause(long millis) {
            try {
                return stopped.await(millis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }

        /** One life of the Kafka consumer: polls until stopped, or until something throws. */
        private void cycle() {
            Map<String, Object> config = new HashMap<>();
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            config.put(ConsumerConfig.GROUP_ID_CONFIG, name);
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
            config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
            config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(config);
            consumer = kafka;
            try {
                if (!running) {
                    return;
                }
                kafka.subscribe(List.copyOf(handler.topics()));
                Map<TopicPartition, Failing> failing = new HashMap<>();
                while (running) {
                    faults.check(FAULT_LOOP + name);
                    ConsumerRecords<String, byte[]> records = kafka.poll(Duration.ofMillis(500));
                    progressNanos = System.nanoTime();
                    if ("starting".equals(state) || "restarting".equals(state)) {
                        state = "running";
                        restartDelayMs = restartBackoff.toMillis();
                    }
                    Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                    long backoffMs = 0;
                    for (TopicPartition partition : records.partitions()) {
                        for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                            long wait = handle(record, partition, failing);
                            if (wait > 0) {
                                kafka.seek(partition, record.offset());
                                backoffMs = Math.max(backoffMs, wait);
                                break;
                            }
                            done.put(partition, new OffsetAndMetadata(record.offset() + 1));
                            progressNanos = System.nanoTime();
                        }
                    }
                    if (!done.isEmpty()) {
                        kafka.commitSync(done);
                    }
                    failing.keySet().retainAll(kafka.assignment());
                    if (failing.isEmpty()) {
                        failingSinceNanos = 0;
                        state = "running";
                    }
                    lag.set(lag(kafka));
                    if (backoffMs > 0) {
                        state = "retrying";
                        if (pause(backoffMs)) {
                            return;
                        }
                    }
                }
            } finally {
                consumer = null;
                try {
                    kafka.close(Duration.ofSeconds(5));
                } catch (RuntimeException e) {
                    LOG.debugf("consumer %s: close failed: %s", name, e.getMessage());
                }
            }
        }

        /** 0 when the record is done with (applied, skipped or dead-lettered); otherwise how long to wait before retrying it. */
        private long handle(ConsumerRecord<String, byte[]> record, TopicPartition partition, Map<TopicPartition, Failing> failing) {
            ConsumedEvent event;
            try {
                event = read(record);
            } catch (RuntimeException e) {
                // A record that is no CloudEvent can never succeed: it goes to the dead letters at once.
                String id = "kafka:" + record.topic() + "/" + record.partition() + "/" + record.offset();
                registry.counter("tollgate.inbox.rejected", "consumer", name).increment();
                return deadLetter(new ConsumedEvent(id, DeadLetters.NOT_A_CLOUDEVENT, null, null, null,
                        record.value(), record.key(), record.topic(), record.partition(), record.offset()), e, 1, partition, failing);
            }
            if (event == null) {
                return 0;
            }
            try {
                apply(event, record);
                failing.remove(partition);
                return 0;
            } catch (RuntimeException e) {
                Failing f = failing.get(partition);
                if (f == null || f.offset != record.offset()) {
                    f = new Failing(record.offset());
                    failing.put(partition, f);
                }
                if (failingSinceNanos == 0) {
                    failingSinceNanos = f.sinceNanos;
                }
                f.tries++;
                boolean passing = Failures.isTransient(e);
                if (!passing) {
                    f.counted++;
                }
                lastError = Failures.describe(e);
                if (!passing && f.counted >= maxAttempts) {
                    return deadLetter(event, e, f.counted, partition, failing);
                }
                retries.increment();
                long wait = Math.min(retryBackoff.toMillis() << Math.min(f.tries - 1, 16), MAX_RETRY_BACKOFF_MS);
                LOG.warnf("consumer %s: event %s (%s) at %s@%d failed (%s, attempt %d of %d), retrying in %d ms: %s", name, event.id(),
                        event.type(), partition, record.offset(), passing ? "transient" : "counted", f.counted, maxAttempts, wait,
                        lastError);
                return Math.max(1, wait);
            }
        }

        /** Parks the event in {@code dead_letters}; when even that fails, the event is retried instead. */
        private long deadLetter(ConsumedEvent event, RuntimeException cause, int attempts, TopicPartition partition,
                                Map<TopicPartition, Failing> failing) {
            try {
                VertxContextSupport.subscribeAndAwait(() -> deadLetters.record(name, event.id(), event.type(), event.source(),
                        event.subject(), event.time(), event.topic(), event.partition(), event.offset(), event.key(), event.data(),
                        Failures.describe(cause), attempts));
            } catch (Throwable e) {
                LOG.warnf("consumer %s: cannot record the dead letter of %s, retrying the event: %s", name, event.id(), e.getMessage());
                return Math.min(retryBackoff.toMillis() * 4, MAX_RETRY_BACKOFF_MS);
            }
            dead.increment();
            failing.remove(partition);
            LOG.errorf("consumer %s: event %s (%s) at %s@%d gave up after %d attempt(s), parked in dead_letters: %s", name,
                    event.id(), event.type(), partition, event.offset(), attempts, Failures.describe(cause));
            return 0;
        }

        /** The event, or null when the handler does not care for its type. */
        private ConsumedEvent read(ConsumerRecord<String, byte[]> record) {
            CloudEvent ce = KafkaMessageFactory.createReader(record).toEvent();
            if (!handler.accepts(ce.getType())) {
                return null;
            }
            return new ConsumedEvent(ce.getId(), ce.getType(), ce.getSource().toString(),
                    ce.getSubject(), ce.getTime(), ce.getData() == null ? new byte[0] : ce.getData().toBytes(),
                    record.key(), record.topic(), record.partition(), record.offset());
        }

        private void apply(ConsumedEvent event, ConsumerRecord<String, byte[]> record) {
            Boolean applied;
            // each attempt is a CONSUMER span continuing the producer's trace (ce_traceparent)
            Span span = tracing.startProcess(name, record, event.id(), event.type());
            String requestId = EventTracing.requestIdOf(record);
            try {
                applied = VertxContextSupport.subscribeAndAwait(() -> {
                    // current on the duplicated context this attempt runs on, which ends with it: the handler's
                    // SQL and the events it appends belong to the span; so do its log lines (and the request id)
                    Context.current().with(span).makeCurrent();
                    if (requestId != null) {
                        MDC.put(RequestId.MDC_KEY, requestId);
                    }
                    return pool.withTransaction(
                            tx -> inbox.once(tx, name, event.id(), event.type(), () -> handler.apply(event, tx)));
                });
                span.setAttribute("tollgate.inbox.outcome", Boolean.TRUE.equals(applied) ? "applied" : "duplicate");
            } catch (Throwable e) {
                EventTracing.failed(span, e);
                throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
            } finally {
                span.end();
            }
            registry.counter("tollgate.inbox.events", "consumer", name,
                    "outcome", Boolean.TRUE.equals(applied) ? "applied" : "duplicate").increment();
        }

        private long lag(KafkaConsumer<String, byte[]> kafka) {
            long total = 0;
            for (TopicPartition partition : kafka.assignment()) {
                total += kafka.currentLag(partition).orElse(0);
            }
            return total;
        }
    }
}
