package io.tollgate.kit.inbox;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Runs one Kafka consumer thread per {@link EventHandler}. Offsets are committed only after the
 * handler's transaction committed; a failed effect seeks back and is retried with backoff, so
 * nothing is skipped and the inbox makes the retry harmless.
 */
@ApplicationScoped
public class EventConsumers {

    private static final Logger LOG = Logger.getLogger(EventConsumers.class);

    private final Instance<EventHandler> handlers;
    private final Inbox inbox;
    private final Pool pool;
    private final MeterRegistry registry;
    private final String bootstrapServers;
    private final boolean enabled;
    private final List<Loop> loops = new CopyOnWriteArrayList<>();

    public EventConsumers(Instance<EventHandler> handlers, Inbox inbox, Pool pool, MeterRegistry registry,
                          @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                          @ConfigProperty(name = "tollgate.consumers.enabled", defaultValue = "true") boolean enabled) {
        this.handlers = handlers;
        this.inbox = inbox;
        this.pool = pool;
        this.registry = registry;
        this.bootstrapServers = bootstrapServers;
        this.enabled = enabled;
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
        Loop loop = new Loop(handler);
        loops.add(loop);
        Thread thread = Thread.ofPlatform().name("consumer-" + handler.consumer()).daemon().unstarted(loop);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        loops.forEach(Loop::stop);
    }

    /** Stops the consumer of one handler (tests use this). */
    public void stop(EventHandler handler) {
        loops.stream().filter(l -> l.handler == handler).forEach(Loop::stop);
        loops.removeIf(l -> l.handler == handler);
    }

    private final class Loop implements Runnable {
        private final EventHandler handler;
        private final KafkaConsumer<String, byte[]> consumer;
        private volatile boolean running = true;

        Loop(EventHandler handler) {
            this.handler = handler;
            Map<String, Object> config = new HashMap<>();
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            config.put(ConsumerConfig.GROUP_ID_CONFIG, handler.consumer());
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
            config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
            config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            this.consumer = new KafkaConsumer<>(config);
        }

        void stop() {
            running = false;
            consumer.wakeup();
        }

        @Override
        public void run() {
            long backoffMs = 200;
            try {
                consumer.subscribe(List.copyOf(handler.topics()));
                while (running) {
                    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                    Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                    boolean failed = false;
                    for (TopicPartition partition : records.partitions()) {
                        for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                            try {
                                process(record);
                                done.put(partition, new OffsetAndMetadata(record.offset() + 1));
                            } catch (RuntimeException e) {
                                LOG.warnf(e, "consumer %s: event at %s@%d failed, will retry", handler.consumer(),
                                        partition, record.offset());
                                consumer.seek(partition, record.offset());
                                failed = true;
                                break;
                            }
                        }
                    }
                    if (!done.isEmpty()) {
                        consumer.commitSync(done);
                    }
                    if (failed) {
                        Thread.sleep(backoffMs);
                        backoffMs = Math.min(backoffMs * 2, 10_000);
                    } else {
                        backoffMs = 200;
                    }
                }
            } catch (WakeupException e) {
                // stop() was called
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.errorf(e, "consumer %s stopped", handler.consumer());
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }

        private void process(ConsumerRecord<String, byte[]> record) {
            CloudEvent ce;
            try {
                ce = KafkaMessageFactory.createReader(record).toEvent();
            } catch (RuntimeException e) {
                // A record that is no CloudEvent can never succeed; skip it loudly rather than block the partition.
                LOG.errorf("consumer %s: skipping non-CloudEvent record at %s-%d@%d", handler.consumer(), record.topic(),
                        record.partition(), record.offset());
                registry.counter("tollgate.inbox.rejected", "consumer", handler.consumer()).increment();
                return;
            }
            if (!handler.accepts(ce.getType())) {
                return;
            }
            ConsumedEvent event = new ConsumedEvent(ce.getId(), ce.getType(), ce.getSource().toString(),
                    ce.getSubject(), ce.getTime(), ce.getData() == null ? new byte[0] : ce.getData().toBytes(),
                    record.key(), record.topic(), record.partition(), record.offset());
            Boolean applied;
            try {
                applied = VertxContextSupport.subscribeAndAwait(() -> pool.withTransaction(
                        tx -> inbox.once(tx, handler.consumer(), event.id(), event.type(), () -> handler.apply(event, tx))));
            } catch (Throwable e) {
                throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
            }
            registry.counter("tollgate.inbox.events", "consumer", handler.consumer(),
                    "outcome", Boolean.TRUE.equals(applied) ? "applied" : "duplicate").increment();
        }
    }

    /** Exposed for tests that need to know the consumers are running. */
    public List<String> running() {
        List<String> names = new ArrayList<>();
        loops.forEach(l -> names.add(l.handler.consumer()));
        return names;
    }

}
