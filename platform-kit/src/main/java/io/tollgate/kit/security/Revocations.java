package io.tollgate.kit.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tollgate.contracts.identity.ApiKeyRegenerated;
import io.tollgate.contracts.identity.ApiKeyRevoked;
import io.tollgate.contracts.identity.ApiKeyUpdated;
import io.tollgate.contracts.identity.SessionRevoked;
import io.tollgate.contracts.identity.UserBanned;
import io.tollgate.contracts.identity.UserUnbanned;
import jakarta.inject.Singleton;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What identity has taken back: revoked sessions, revoked, regenerated or changed API keys, banned
 * users. Every instance of every service reads {@code identity.events} itself (no consumer group,
 * every partition), starting {@code tollgate.revocations.replay} back in time, so that a fresh
 * instance knows every revocation that could still matter for a live token and stays a fraction of
 * a second behind afterwards. Checks are map lookups, with no call per request. The gateway refuses
 * at the door; each service refuses again ({@link CurrentPrincipal}), so a caller that reaches a
 * service directly gains nothing.
 */
@Singleton
public class Revocations {

    /** Sees every identity event as it is read (the gateway keeps tenants' browser origins this way). */
    public interface Listener {
        void identityEvent(String type, JsonNode body);
    }

    private static final Logger LOG = Logger.getLogger(Revocations.class);
    private static final String TOPIC = "identity.events";

    private final ObjectMapper json;
    private final Clock clock;
    private final Instance<Listener> listeners;
    private final String bootstrap;
    private final Duration replay;
    private final boolean enabled;
    private final String clientId;
    /** session id -> when the entry may be forgotten (epoch ms). */
    private final Map<String, Long> revokedSessions = new ConcurrentHashMap<>();
    /** API key id -> the second its grants last changed; tokens issued before it are stale. */
    private final Map<String, Long> keyChangedAt = new ConcurrentHashMap<>();
    /** API key id -> when the entry may be forgotten: a revoked key has no valid token at all. */
    private final Map<String, Long> revokedKeys = new ConcurrentHashMap<>();
    private final Map<String, Boolean> bannedUsers = new ConcurrentHashMap<>();
    private final CountDownLatch firstCatchUp = new CountDownLatch(1);
    private volatile boolean caughtUp;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private long lastSweep;

    public Revocations(ObjectMapper json, Clock clock, Instance<Listener> listeners,
                       @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
                       @ConfigProperty(name = "tollgate.revocations.replay", defaultValue = "PT30M") Duration replay,
                       @ConfigProperty(name = "tollgate.revocations.enabled", defaultValue = "true") boolean enabled,
                       @ConfigProperty(name = "quarkus.application.name", defaultValue = "tollgate") String application) {
        this.json = json;
        this.clock = clock;
        this.listeners = listeners;
        this.bootstrap = bootstrap;
        this.replay = replay;
        this.enabled = enabled;
        this.clientId = application + "-revocations";
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            caughtUp = true;
            return;
        }
        Thread.ofPlatform().name(clientId).daemon().start(this::run);
        // Prefer to open the door knowing every recent revocation; readiness stays DOWN until then anyway.
        try {
            if (!firstCatchUp.await(15, TimeUnit.SECONDS)) {
                LOG.warn("identity events not read yet at start; readiness stays DOWN until they are");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    public boolean sessionRevoked(String sessionId) {
        return sessionId != null && revokedSessions.containsKey(sessionId);
    }

    public boolean banned(String userId) {
        return userId != null && bannedUsers.containsKey(userId);
    }

    /** True when the key's grants changed at or after {@code issuedAt} (epoch seconds) or the key is revoked. */
    public boolean keyStale(String keyId, long issuedAt) {
        if (keyId == null) {
            return false;
        }
        if (revokedKeys.containsKey(keyId)) {
            return true;
        }
        Long changed = keyChangedAt.get(keyId);
        return changed != null && issuedAt <= changed;
    }

    /**
     * For a service: true when the key is revoked, or its grants changed in a second after the one
     * the token was issued in. Tokens issued in the very second of a change are let through here (the
     * gateway, which exchanged them, knows which side of the change they are on), so that a fresh
     * exchange right after a change is never refused.
     */
    public boolean keyWithdrawn(String keyId, long issuedAt) {
        if (keyId == null) {
            return false;
        }
        if (revokedKeys.containsKey(keyId)) {
            return true;
        }
        Long changed = keyChangedAt.get(keyId);
        return changed != null && issuedAt < changed;
    }

    private void run() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        while (running) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer = c;
                List<TopicPartition> partitions = c.partitionsFor(TOPIC, Duration.ofSeconds(10)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                c.assign(partitions);
                Map<TopicPartition, Long> since = new HashMap<>();
                long from = clock.millis() - replay.toMillis();
                partitions.forEach(p -> since.put(p, from));
                var offsets = c.offsetsForTimes(since, Duration.ofSeconds(10));
                Map<TopicPartition, Long> ends = c.endOffsets(partitions, Duration.ofSeconds(10));
                for (TopicPartition p : partitions) {
                    var at = offsets.get(p);
                    c.seek(p, at == null ? ends.get(p) : at.offset());
                }
                while (running) {
                    for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(200))) {
                        apply(record);
                    }
                    if (!caughtUp && partitions.stream().allMatch(p -> c.position(p) >= ends.get(p))) {
                        caughtUp = true;
                        firstCatchUp.countDown();
                        LOG.infof("revocations caught up (%d sessions, %d keys, %d banned users)",
                                revokedSessions.size(), keyChangedAt.size() + revokedKeys.size(), bannedUsers.size());
                    }
                    forgetExpired();
                }
            } catch (WakeupException e) {
                return;
            } catch (Exception e) {
                if (running) {
                    LOG.warnf("identity events unavailable, retrying: %s", e.toString());
                    pause();
                }
            }
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        Header type = record.headers().lastHeader("ce_type");
        if (type == null) {
            return;
        }
        try {
            String ceType = new String(type.value(), StandardCharsets.UTF_8);
            JsonNode body = json.readTree(record.value());
            long forgetAt = clock.millis() + replay.toMillis();
            switch (ceType) {
                case SessionRevoked.TYPE -> revokedSessions.put(body.path("session_id").asText(), forgetAt);
                case ApiKeyRevoked.TYPE -> revokedKeys.put(body.path("key_id").asText(), forgetAt);
                case ApiKeyRegenerated.TYPE, ApiKeyUpdated.TYPE -> {
                    long at = Instant.parse(body.path("occurred_at").asText()).getEpochSecond();
                    keyChangedAt.merge(body.path("key_id").asText(), at, Math::max);
                }
                case UserBanned.TYPE -> bannedUsers.put(body.path("user_id").asText(), Boolean.TRUE);
                case UserUnbanned.TYPE -> bannedUsers.remove(body.path("user_id").asText());
                default -> {
                }
            }
            for (Listener listener : listeners) {
                listener.identityEvent(ceType, body);
            }
        } catch (Exception e) {
            LOG.warnf("unreadable identity event at %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e);
        }
    }

    private void forgetExpired() {
        long now = clock.millis();
        if (now - lastSweep < 60_000) {
            return;
        }
        lastSweep = now;
        revokedSessions.values().removeIf(until -> until < now);
        revokedKeys.values().removeIf(until -> until < now);
        long horizon = (now - replay.toMillis()) / 1000;
        keyChangedAt.values().removeIf(at -> at < horizon);
    }

    private static void pause() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
