package io.tollgate.identity.apikeys;

import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.ApiKeyCreated;
import io.tollgate.contracts.identity.ApiKeyRegenerated;
import io.tollgate.contracts.identity.ApiKeyRevoked;
import io.tollgate.contracts.identity.ApiKeyUpdated;
import io.tollgate.identity.crypto.Secrets;
import io.tollgate.identity.keys.TokenIssuer;
import io.tollgate.kit.net.IpRules;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** API keys: the secret is shown once and only its SHA-256 is kept. */
@ApplicationScoped
public class ApiKeyService {

    public record Settings(String name, String environment, List<String> scopes, List<String> allowedIps,
                           Integer rateLimitRpm, Instant expiresAt) {
    }

    public record Created(ApiKey key, String secret) {
    }

    public record Exchanged(TokenIssuer.Issued token, ApiKey key) {
    }

    private final ApiKeyRepository keys;
    private final Pool pool;
    private final Outbox outbox;
    private final TokenIssuer issuer;
    private final KeyUsage usage;
    private final Clock clock;
    private final int maxKeys;

    public ApiKeyService(ApiKeyRepository keys, Pool pool, Outbox outbox, TokenIssuer issuer, KeyUsage usage, Clock clock,
                         @ConfigProperty(name = "tollgate.identity.api-keys.max-per-user", defaultValue = "25") int maxKeys) {
        this.keys = keys;
        this.pool = pool;
        this.outbox = outbox;
        this.issuer = issuer;
        this.usage = usage;
        this.clock = clock;
        this.maxKeys = maxKeys;
    }

    public Uni<Created> create(Owner owner, Settings settings) {
        validate(settings, true);
        Instant now = clock.instant();
        String environment = settings.environment() == null ? "live" : settings.environment();
        String secret = KeyFormat.generate(environment);
        KeyFormat.Parsed parsed = KeyFormat.parse(secret);
        ApiKey key = new ApiKey(UUID.randomUUID(), owner.userId(), owner.tenantId(), settings.name().trim(), environment,
                parsed.prefix(), parsed.last4(), Secrets.sha256(secret), List.copyOf(settings.scopes()),
                settings.allowedIps() == null ? List.of() : List.copyOf(settings.allowedIps()),
                settings.rateLimitRpm() == null ? 100 : settings.rateLimitRpm(), settings.expiresAt(), null, 0, null, now, now);
        return pool.withTransaction(tx -> keys.countActive(tx, owner).chain(count -> {
            if (count >= maxKeys) {
                return Uni.createFrom().failure(ProblemException.conflict("API_KEY_LIMIT",
                        "You already have " + maxKeys + " active API keys; revoke one first."));
            }
            return keys.insert(tx, key).chain(() -> announce(tx, key, new ApiKeyCreated(key.id(), key.keyPrefix(), key.userId(),
                    key.tenantId(), key.scopes(), null, now))).replaceWith(new Created(key, secret));
        }));
    }

    public Uni<Page<ApiKey>> list(Owner owner, PageRequest page) {
        return keys.page(owner, page).map(slice -> Page.of(slice.rows(), page, slice.total()));
    }

    public Uni<ApiKey> get(Owner owner, UUID id) {
        return keys.find(owner, id).map(key -> found(key, id));
    }

    /** Every key of the owner, newest first (for an administrator). */
    public Uni<List<ApiKey>> all(Owner owner) {
        return keys.all(owner);
    }

    public Uni<ApiKey> update(Owner owner, UUID id, Settings changes) {
        validate(changes, false);
        Instant now = clock.instant();
        return pool.withTransaction(tx -> keys.update(tx, owner, id, changes.name() == null ? null : changes.name().trim(),
                        changes.scopes(), changes.allowedIps(), changes.rateLimitRpm(), changes.expiresAt(), now)
                .map(key -> found(key, id))
                .call(key -> announce(tx, key, new ApiKeyUpdated(key.id(), key.keyPrefix(), key.userId(), key.tenantId(),
                        key.scopes(), null, clock.instant()))));
    }

    /** A new secret with the same settings; the old secret stops working at once. */
    public Uni<Created> regenerate(Owner owner, UUID id) {
        return pool.withTransaction(tx -> keys.lock(tx, owner, id).map(key -> found(key, id)).chain(key -> {
            if (key.revokedAt() != null) {
                return Uni.createFrom().failure(ProblemException.conflict("API_KEY_REVOKED", "A revoked key cannot be regenerated."));
            }
            String secret = KeyFormat.generate(key.environment());
            KeyFormat.Parsed parsed = KeyFormat.parse(secret);
            return keys.replaceSecret(tx, key.id(), parsed.prefix(), parsed.last4(), Secrets.sha256(secret), clock.instant())
                    .call(fresh -> announce(tx, fresh, new ApiKeyRegenerated(fresh.id(), key.keyPrefix(), fresh.userId(),
                            fresh.tenantId(), fresh.scopes(), "regenerated", clock.instant())))
                    .map(fresh -> new Created(fresh, secret));
        }));
    }

    public Uni<ApiKey> revoke(Owner owner, UUID id, String reason) {
        return pool.withTransaction(tx -> keys.lock(tx, owner, id).map(key -> found(key, id)).chain(key -> {
            if (key.revokedAt() != null) {
                return Uni.createFrom().failure(ProblemException.conflict("API_KEY_REVOKED", "This key is already revoked."));
            }
            Instant now = clock.instant();
            return keys.revoke(tx, key.id(), now).call(revoked -> announceRevoked(tx, revoked, reason, now));
        }));
    }

    public Uni<Void> delete(Owner owner, UUID id) {
        return pool.withTransaction(tx -> keys.lock(tx, owner, id).map(key -> found(key, id))
                .call(key -> key.revokedAt() == null ? announceRevoked(tx, key, "deleted", clock.instant()) : Uni.createFrom().voidItem())
                .chain(key -> keys.delete(tx, key.id())));
    }

    /** Revokes every active key of the owner (a ban) in {@code tx}; returns how many. */
    public Uni<Integer> revokeAll(SqlClient tx, Owner owner, String reason) {
        Instant now = clock.instant();
        return keys.revokeAll(tx, owner, now).chain(revoked -> {
            Uni<Void> events = Uni.createFrom().voidItem();
            for (ApiKey key : revoked) {
                events = events.chain(() -> announceRevoked(tx, key, reason, now));
            }
            return events.replaceWith(revoked.size());
        });
    }

    /** The gateway's exchange: a key and the caller's address for a short-lived token. */
    public Uni<Exchanged> exchange(String secret, String callerIp) {
        KeyFormat.Parsed parsed = KeyFormat.parse(secret);
        if (parsed == null) {
            return Uni.createFrom().failure(invalidKey());
        }
        Instant now = clock.instant();
        return keys.forExchange(Secrets.sha256(secret), now).map(found -> {
            if (found == null) {
                throw invalidKey();
            }
            ApiKey key = found.key();
            if (key.revokedAt() != null) {
                throw ProblemException.unauthorized("API_KEY_REVOKED", "This API key was revoked.");
            }
            if (key.expiresAt() != null && !key.expiresAt().isAfter(now)) {
                throw ProblemException.unauthorized("API_KEY_EXPIRED", "This API key has expired.");
            }
            if (!IpRules.allows(key.allowedIps(), callerIp)) {
                throw ProblemException.forbidden("IP_NOT_ALLOWED", "This API key may not be used from this address.");
            }
            if (found.ownerBanned()) {
                throw ProblemException.forbidden("USER_BANNED", "The owner of this API key is banned.");
            }
            usage.record(key.id(), now);
            return new Exchanged(issuer.apiKey(key.userId(), found.ownerTenantId(), key.id(), found.ownerRole(),
                    found.ownerEmailVerified(), key.scopes(), key.rateLimitRpm(), key.expiresAt()), key);
        });
    }

    private Uni<Void> announceRevoked(SqlClient tx, ApiKey key, String reason, Instant now) {
        return announce(tx, key, new ApiKeyRevoked(key.id(), key.keyPrefix(), key.userId(), key.tenantId(), key.scopes(), reason, now));
    }

    private Uni<Void> announce(SqlClient tx, ApiKey key, Object event) {
        return outbox.append(tx, key.id().toString(), "api-keys/" + key.id(), event).replaceWithVoid();
    }

    private static ApiKey found(ApiKey key, UUID id) {
        if (key == null) {
            throw ProblemException.notFound("API key " + id);
        }
        return key;
    }

    private void validate(Settings settings, boolean creating) {
        if (creating && (settings.name() == null || settings.name().isBlank())) {
            throw ProblemException.validation("name", "must not be blank");
        }
        if (settings.name() != null && !settings.name().matches("^[A-Za-z0-9\\-_ .]{1,100}$")) {
            throw ProblemException.validation("name", "must be 1 to 100 letters, digits, spaces, dots, dashes or underscores");
        }
        if (settings.environment() != null && !List.of("live", "test").contains(settings.environment())) {
            throw ProblemException.validation("environment", "must be live or test");
        }
        if (creating && (settings.scopes() == null || settings.scopes().isEmpty())) {
            throw ProblemException.validation("scopes", "must name at least one scope");
        }
        if (settings.scopes() != null) {
            for (int i = 0; i < settings.scopes().size(); i++) {
                if (!Scopes.CATALOGUE.containsKey(settings.scopes().get(i))) {
                    throw ProblemException.validation("scopes[" + i + "]", "is not a known scope (see GET /v1/api-keys/scopes)");
                }
            }
        }
        if (settings.allowedIps() != null) {
            if (settings.allowedIps().size() > 20) {
                throw ProblemException.validation("allowed_ips", "may list at most 20 addresses or blocks");
            }
            for (int i = 0; i < settings.allowedIps().size(); i++) {
                String why = IpRules.problem(settings.allowedIps().get(i));
                if (why != null) {
                    throw ProblemException.validation("allowed_ips[" + i + "]", why);
                }
            }
        }
        if (settings.rateLimitRpm() != null && (settings.rateLimitRpm() < 10 || settings.rateLimitRpm() > 1000)) {
            throw ProblemException.validation("rate_limit_rpm", "must be between 10 and 1000");
        }
        if (settings.expiresAt() != null && !settings.expiresAt().isAfter(clock.instant())) {
            throw ProblemException.validation("expires_at", "must be in the future");
        }
    }

    private static ProblemException invalidKey() {
        return ProblemException.unauthorized("INVALID_API_KEY", "The API key is not valid.");
    }
}
