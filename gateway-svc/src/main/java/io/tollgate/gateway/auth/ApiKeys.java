package io.tollgate.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tollgate.kit.net.IpRules;
import io.tollgate.kit.security.Revocations;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * API keys: exchanged once at identity for a short-lived token, which is kept in Redis (shared by
 * every gateway instance) and in memory until it expires. Only the SHA-256 of a key is used as a
 * cache key. A cached grant issued before identity announced a change to its key (revoked,
 * regenerated, re-scoped) is thrown away and the key exchanged again, so identity has the last word.
 */
@Singleton
public class ApiKeys {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ApiKeys.class);

    /** A key's exchange: the token to forward and what the gateway enforces itself. */
    public record Grant(Caller caller, List<String> allowedIps) {
    }

    private static final String PREFIX = "gw:apikey:";

    private final IdentityClient identity;
    private final Redis redis;
    private final Revocations revocations;
    private final ObjectMapper json;
    private final Clock clock;
    private final Duration redisTimeout;
    private final Cache<String, Grant> local;
    private final Map<String, Future<Grant>> inFlight = new ConcurrentHashMap<>();

    public ApiKeys(IdentityClient identity, Redis redis, Revocations revocations, ObjectMapper json, Clock clock,
                   @ConfigProperty(name = "tollgate.gateway.redis-timeout", defaultValue = "PT0.25S") Duration redisTimeout) {
        this.identity = identity;
        this.redis = redis;
        this.revocations = revocations;
        this.json = json;
        this.clock = clock;
        this.redisTimeout = redisTimeout;
        this.local = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(10)).build();
    }

    public static boolean looksLikeKey(String credential) {
        return credential.startsWith("tg_live_") || credential.startsWith("tg_test_");
    }

    /** The caller behind a key, used from {@code ip}; a failed future carries an {@link AuthFailure}. */
    public Future<Caller> resolve(String key, String ip) {
        String hash = sha256(key);
        Grant cached = local.getIfPresent(hash);
        Future<Grant> grant = usable(cached) ? Future.succeededFuture(cached) : shared(hash, key, ip);
        return grant.map(g -> {
            if (!IpRules.allows(g.allowedIps(), ip)) {
                throw new AuthFailure(403, "IP_NOT_ALLOWED", "This API key may not be used from this address.");
            }
            return g.caller();
        });
    }

    /**
     * One look-up per key at a time, whoever else asks meanwhile waits for it. The look-up starts
     * only after its promise is in the map: one that fails at once (identity's breaker open) then
     * removes its own entry instead of updating the map from inside its own computation.
     */
    private Future<Grant> shared(String hash, String key, String ip) {
        Promise<Grant> promise = Promise.promise();
        Future<Grant> running = inFlight.putIfAbsent(hash, promise.future());
        if (running != null) {
            return running;
        }
        fromRedisOrIdentity(hash, key, ip).onComplete(result -> {
            inFlight.remove(hash, promise.future());
            promise.handle(result);
        });
        return promise.future();
    }

    private boolean usable(Grant grant) {
        if (grant == null) {
            return false;
        }
        Caller c = grant.caller();
        return c.expiresAt() * 1000 - 5_000 > clock.millis() && !revocations.keyStale(c.apiKeyId(), c.issuedAt());
    }

    private Future<Grant> fromRedisOrIdentity(String hash, String key, String ip) {
        return redis.send(Request.cmd(Command.GET).arg(PREFIX + hash))
                .timeout(redisTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .map(value -> value == null ? null : read(value.toBuffer().getBytes()))
                .otherwise((Grant) null)
                .compose(found -> {
                    if (usable(found)) {
                        local.put(hash, found);
                        return Future.succeededFuture(found);
                    }
                    return exchange(hash, key, ip);
                });
    }

    private Future<Grant> exchange(String hash, String key, String ip) {
        return identity.post("/internal/api-keys/exchange", Map.of("key", key, "ip_address", ip))
                .recover(failure -> Future.failedFuture(translate(failure)))
                .map(answer -> {
                    Grant grant = grant(answer);
                    local.put(hash, grant);
                    long ttlMs = grant.caller().expiresAt() * 1000 - clock.millis() - 5_000;
                    if (ttlMs > 0) {
                        try {
                            redis.send(Request.cmd(Command.SET).arg(PREFIX + hash).arg(json.writeValueAsBytes(answer))
                                    .arg("PX").arg(ttlMs));
                        } catch (Exception ignored) {
                            // the in-memory copy still serves this instance
                        }
                    }
                    return grant;
                });
    }

    private static Throwable translate(Throwable failure) {
        if (failure instanceof IdentityClient.Refused refused && refused.status() < 500) {
            JsonNode p = refused.problem();
            return new AuthFailure(refused.status() == 403 ? 403 : 401, p.path("code").asText("INVALID_API_KEY"),
                    p.path("detail").asText("The API key is not valid."));
        }
        // an open breaker is already logged once by its state change; anything else is worth a line
        if (!(failure instanceof org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException)) {
            LOG.warnf("an API key could not be exchanged at identity: %s", failure.toString());
        }
        return new AuthFailure(503, "AUTH_UNAVAILABLE", "API keys cannot be checked right now; try again shortly.");
    }

    private Grant read(byte[] stored) {
        try {
            return grant(json.readTree(stored));
        } catch (Exception e) {
            return null;
        }
    }

    private Grant grant(JsonNode answer) {
        String token = answer.path("access_token").asText();
        JsonNode claims;
        try {
            claims = json.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        } catch (Exception e) {
            throw new AuthFailure(503, "AUTH_UNAVAILABLE", "identity answered with an unreadable token.");
        }
        List<String> scopes = new ArrayList<>();
        answer.path("scopes").forEach(s -> scopes.add(s.asText()));
        List<String> groups = new ArrayList<>();
        claims.path("groups").forEach(g -> groups.add(g.asText()));
        List<String> ips = new ArrayList<>();
        answer.path("allowed_ips").forEach(i -> ips.add(i.asText()));
        Caller caller = new Caller(token, answer.path("user_id").asText(), answer.path("tenant_id").asText(), null,
                answer.path("key_id").asText(), Caller.Source.API_KEY, Set.copyOf(scopes), Set.copyOf(groups),
                claims.path("iat").asLong(), claims.path("exp").asLong(), answer.path("rate_limit_rpm").asInt(100));
        return new Grant(caller, List.copyOf(ips));
    }

    static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
