package io.tollgate.kit.testing;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;

/** Reads a topic from the beginning with a throw-away consumer group, for assertions on what was produced. */
public final class KafkaProbe implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    // records polled but not yet looked at: first() stops at a match, and the rest of that batch stays here for the next call
    private final ArrayDeque<ConsumerRecord<String, byte[]>> pending = new ArrayDeque<>();

    public KafkaProbe(String bootstrapServers, String topic) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "probe-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer = new KafkaConsumer<>(config);
        consumer.subscribe(List.of(topic));
    }

    public static String bootstrap() {
        return "127.0.0.1:" + System.getProperty("tollgate.kafka.port",
                System.getenv().getOrDefault("TOLLGATE_KAFKA_PORT", "59092"));
    }

    /** Records matching {@code match} seen until {@code quiet} passes with no new match after the first, or {@code max}. */
    public List<ConsumerRecord<String, byte[]>> collect(Predicate<ConsumerRecord<String, byte[]>> match,
                                                        Duration max, Duration quiet) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        long end = System.nanoTime() + max.toNanos();
        long lastMatch = 0;
        while (System.nanoTime() < end) {
            for (ConsumerRecord<String, byte[]> record = next(); record != null; record = next()) {
                if (match.test(record)) {
                    found.add(record);
                    lastMatch = System.nanoTime();
                }
            }
            if (!found.isEmpty() && System.nanoTime() - lastMatch > quiet.toNanos()) {
                break;
            }
        }
        return found;
    }

    public ConsumerRecord<String, byte[]> first(Predicate<ConsumerRecord<String, byte[]>> match, Duration max) {
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            for (ConsumerRecord<String, byte[]> record = next(); record != null; record = next()) {
                if (match.test(record)) {
                    return record;
                }
            }
        }
        throw new AssertionError("no matching record within " + max);
    }

    // the next record: a buffered one, else from one poll (null when that poll brought nothing)
    private ConsumerRecord<String, byte[]> next() {
        if (pending.isEmpty()) {
            consumer.poll(Duration.ofMillis(200)).forEach(pending::add);
        }
        return pending.poll();
    }

    public static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    public static Map<String, String> headers(ConsumerRecord<?, ?> record) {
        Map<String, String> all = new java.util.TreeMap<>();
        record.headers().forEach(h -> all.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        return all;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
