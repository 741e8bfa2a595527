package io.tollgate.render.jobs;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The workers' consumer group on {@code render.jobs}: each {@code job.queued} wakes one instance's
 * worker at once (partitions spread them over the instances). The message is only a wake-up; the
 * job's row decides who runs it, so a lost or repeated message changes nothing and the workers'
 * own poll finds any job a message did not announce.
 */
@ApplicationScoped
public class JobWakeups {

    private static final Logger LOG = Logger.getLogger(JobWakeups.class);

    private final JobWorker worker;
    private final String bootstrap;
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;

    public JobWakeups(JobWorker worker, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.worker = worker;
        this.bootstrap = bootstrap;
    }

    void start(@Observes StartupEvent event) {
        if (!worker.enabled()) {
            return;
        }
        running = true;
        Thread.ofPlatform().name("render-wakeups").daemon().start(this::run);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "render.workers",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true,
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100), new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer = c;
                c.subscribe(List.of("render.jobs"));
                while (running) {
                    if (!c.poll(Duration.ofMillis(500)).isEmpty()) {
                        worker.nudge();
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf("render.jobs unavailable, retrying: %s", e.toString());
                    try {
                        Thread.sleep(1_000);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }
}
