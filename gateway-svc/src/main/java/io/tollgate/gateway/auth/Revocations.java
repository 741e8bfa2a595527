package io.tollgate.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tollgate.contracts.identity.ApiKeyRegenerated;
import io.tollgate.contracts.identity.ApiKeyRevoked;
import io.tollgate.contracts.identity.ApiKeyUpdated;
import io.tollgate.contracts.identity.SessionRevoked;
import io.tollgate.contracts.identity.TenantCreated;
import io.tollgate.contracts.identity.TenantUpdated;
import io.tollgate.contracts.identity.UserBanned;
import io.tollgate.contracts.identity.UserUnbanned;
import io.tollgate.gateway.cors.TenantOrigins;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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

/**
 * What identity has taken back: revoked sessions, revoked/regenerated/changed API keys, banned
 * users. Every gateway instance reads {@code identity.events} itself (no consumer group, every
 * partition), starting {@code replay} back in time so that a fresh instance knows every revocation
 * that could still matter for a live token, and stays a fraction of a second behind afterwards.
 * Checks are map lookups, with no call per request.
 */
@ApplicationScoped
public class Revocations {

    private static final Logger LOG = Logger.getLogger(Revocations.class);
    private static final String TOPIC = "identity.events";

    private final ObjectMapper json;
    private final Clock clock;
    private final TenantOrigins origins;
    private final String bootstrap;
    private final Duration replay;
    /** session id -> when the entry may be forgotten (epoch ms). */
    private final Map<String, Long> revokedSessions = new ConcurrentHashMap<>();
    /** API key id -> the second its grants last changed; anything issued at or before it is stale. */
    private final Map<String, Long> keyChangedAt = new ConcurrentHashMap<>();
    private final Map<String, Boolean> bannedUsers = new ConcurrentHashMap<>();
    private volatile boolean caughtUp;
    private final java.util.concurrent.CountDownLatch firstCatchUp = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean running = true;
    private KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public Revocations(ObjectMapper json, Clock clock, TenantOrigins origins,
                       @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
                       @ConfigProperty(name = "tollgate.gateway.revocations.replay", defaultValue = "PT30M") Duration replay) {
        this.json = json;
        this.clock = clock;
        this.origins = origins;
        this.bootstrap = bootstrap;
        this.replay = replay;
    }

    void start(@Observes StartupEvent event) {
        thread = Thread.ofPlatform().name("gateway-revocations").daemon().start(this::run);
        // Prefer to open the door knowing every recent revocation; readiness stays DOWN until then anyway.
        try {
            if (!firstCatchUp.await(15, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warn("identity events not read yet at start; readiness stays DOWN until they are");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    public boolean sessionRevoked(String sessionId) {
        return sessionId != null && revokedSessions.containsKey(sessionId);
    }

    public boolean banned(String userId) {
        return bannedUsers.containsKey(userId);
    }

    /** True when the key's grants changed after a token for it was issued at {@code issuedAt}. */
    public boolean keyStale(String keyId, long issuedAt) {
        Long changed = keyId == null ? null : keyChangedAt.get(keyId);
        return changed != null && issuedAt <= changed;
    }

    /** For a key just exchanged or cached by {@link ApiKeys}, which already handles key changes: the account only. */
    public void checkExchanged(Caller caller) {
        if (banned(caller.userId())) {
            throw new AuthFailure(403, "USER_BANNED", "This account is banned.");
        }
    }

    /** Refuses a caller whose session, key or account identity has taken back. */
    public void check(Caller caller) {
        if (banned(caller.userId())) {
            throw new AuthFailure(403, "USER_BANNED", "This account is banned.");
        }
        if (caller.source() == Caller.Source.JWT && sessionRevoked(caller.sessionId())) {
            throw new AuthFailure(401, "SESSION_REVOKED", "This session has ended; sign in again.");
        }
        if (keyStale(caller.apiKeyId(), caller.issuedAt())) {
            throw new AuthFailure(401, "API_KEY_REVOKED", "This API key was revoked or changed.");
        }
    }

    private void run() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "gateway-revocations");
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
                    if (at == null) {
                        c.seek(p, ends.get(p));
                    } else {
                        c.seek(p, at.offset());
                    }
                }
                while (running) {
                    for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(200))) {
                        apply(record);
                    }
                    if (!caughtUp && partitions.stream().allMatch(p -> c.position(p) >= ends.get(p))) {
                        caughtUp = true;
                        firstCatchUp.countDown();
                        LOG.infof("revocations caught up (%d sessions, %d keys, %d banned users)",
                                revokedSessions.size(), keyChangedAt.size(), bannedUsers.size());
                    }
                    forgetExpired();
                }
            } catch (WakeupException e) {
                return;
            } catch (Exception e) {
                LOG.warnf("identity events unavailable, retrying: %s", e.toString());
                pause();
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
            switch (ceType) {
                case SessionRevoked.TYPE -> revokedSessions.put(body.path("session_id").asText(),
                        clock.millis() + replay.toMillis());
                case ApiKeyRevoked.TYPE, ApiKeyRegenerated.TYPE, ApiKeyUpdated.TYPE -> {
                    String keyId = body.path("key_id").asText();
                    long at = Instant.parse(body.path("occurred_at").asText()).getEpochSecond();
                    keyChangedAt.merge(keyId, at, Math::max);
                }
                case UserBanned.TYPE -> bannedUsers.put(body.path("user_id").asText(), Boolean.TRUE);
                case UserUnbanned.TYPE -> bannedUsers.remove(body.path("user_id").asText());
                case TenantCreated.TYPE, TenantUpdated.TYPE -> origins.update(body.path("tenant_id").asText(),
                        body.path("allowed_origins"));
                default -> {
                }
            }
        } catch (Exception e) {
            LOG.warnf("unreadable identity event at %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e);
        }
    }

    private long lastSweep;

    private void forgetExpired() {
        long now = clock.millis();
        if (now - lastSweep < 60_000) {
            return;
        }
        lastSweep = now;
        revokedSessions.values().removeIf(until -> until < now);
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
