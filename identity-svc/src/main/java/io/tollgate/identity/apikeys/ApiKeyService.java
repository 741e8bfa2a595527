package io.tollgate.identity.apikeys;

import io.tollgate.kit.net.IpRules;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.ApiKeyCreated;
import io.tollgate.contracts.identity.ApiKeyRegenerated;
import io.tollgate.contracts.identity.ApiKeyRevoked;
import io.tollgate.contracts.identity.ApiKeyUpdated;
import io.tollgate.identity.crypto.Secrets;
import io.tollgate.identity.keys.TokenIssuer;
import io.tollgate.identity.users.User;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Principal;
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

    private final Outbox outbox;
    private final TokenIssuer issuer;
    private final KeyUsage usage;
    private final Clock clock;
    private final int maxKeys;

    public ApiKeyService(Outbox outbox, TokenIssuer issuer, KeyUsage usage, Clock clock,
                         @ConfigProperty(name = "tollgate.identity.api-keys.max-per-user", defaultValue = "25") int maxKeys) {
        this.outbox = outbox;
        this.issuer = issuer;
        this.usage = usage;
        this.clock = clock;
        this.maxKeys = maxKeys;
    }

    public Uni<Created> create(Principal owner, Settings settings) {
        validate(settings, true);
        Instant now = clock.instant();
        String environment = settings.environment() == null ? "live" : settings.environment();
        String secret = KeyFormat.generate(environment);
        KeyFormat.Parsed parsed = KeyFormat.parse(secret);
        return Panache.withTransaction(() -> ApiKey.count("userId = ?1 and revokedAt is null", owner.userUuid())
                .chain(count -> {
                    if (count >= maxKeys) {
                        return Uni.createFrom().failure(ProblemException.conflict("API_KEY_LIMIT",
                                "You already have " + maxKeys + " active API keys; revoke one first."));
                    }
                    ApiKey key = new ApiKey();
                    key.id = UUID.randomUUID();
                    key.userId = owner.userUuid();
                    key.tenantId = owner.tenantId();
                    key.name = settings.name().trim();
                    key.environment = environment;
                    key.keyPrefix = parsed.prefix();
                    key.last4 = parsed.last4();
                    key.secretHash = Secrets.sha256(secret);
                    key.scopes = List.copyOf(settings.scopes());
                    key.allowedIps = settings.allowedIps() == null ? List.of() : List.copyOf(settings.allowedIps());
                    key.rateLimitRpm = settings.rateLimitRpm() == null ? 100 : settings.rateLimitRpm();
                    key.expiresAt = settings.expiresAt();
                    key.createdAt = now;
                    key.updatedAt = now;
                    return key.persist().chain(() -> announce(key, new ApiKeyCreated(key.id, key.keyPrefix, key.userId,
                            key.tenantId, key.scopes, null, now))).replaceWith(new Created(key, secret));
                }));
    }

    public Uni<Page<ApiKey>> list(Principal owner, PageRequest page) {
        return Panache.withSession(() -> ApiKey.<ApiKey>find("userId = ?1 order by createdAt desc", owner.userUuid())
                .page(page.page() - 1, page.size()).list()
                .chain(rows -> ApiKey.count("userId", owner.userUuid()).map(total -> Page.of(rows, page, total))));
    }

    public Uni<ApiKey> get(Principal owner, UUID id) {
        return Panache.withSession(() -> owned(owner, id));
    }

    public Uni<ApiKey> update(Principal owner, UUID id, Settings changes) {
        validate(changes, false);
        return Panache.withTransaction(() -> owned(owner, id).invoke(key -> {
            if (changes.name() != null) {
                key.name = changes.name().trim();
            }
            if (changes.scopes() != null) {
                key.scopes = List.copyOf(changes.scopes());
            }
            if (changes.allowedIps() != null) {
                key.allowedIps = List.copyOf(changes.allowedIps());
            }
            if (changes.rateLimitRpm() != null) {
                key.rateLimitRpm = changes.rateLimitRpm();
            }
            if (changes.expiresAt() != null) {
                key.expiresAt = changes.expiresAt();
            }
            key.updatedAt = clock.instant();
        }).call(key -> announce(key, new ApiKeyUpdated(key.id, key.keyPrefix, key.userId, key.tenantId, key.scopes,
                null, clock.instant()))));
    }

    /** A new secret with the same settings; the old secret stops working at once. */
    public Uni<Created> regenerate(Principal owner, UUID id) {
        return Panache.withTransaction(() -> owned(owner, id).chain(key -> {
            if (key.revokedAt != null) {
                return Uni.createFrom().failure(ProblemException.conflict("API_KEY_REVOKED", "A revoked key cannot be regenerated."));
            }
            String secret = KeyFormat.generate(key.environment);
            KeyFormat.Parsed parsed = KeyFormat.parse(secret);
            String oldPrefix = key.keyPrefix;
            key.keyPrefix = parsed.prefix();
            key.last4 = parsed.last4();
            key.secretHash = Secrets.sha256(secret);
            key.updatedAt = clock.instant();
            return announce(key, new ApiKeyRegenerated(key.id, oldPrefix, key.userId, key.tenantId, key.scopes,
                    "regenerated", clock.instant())).replaceWith(new Created(key, secret));
        }));
    }

    public Uni<ApiKey> revoke(Principal owner, UUID id, String reason) {
        return Panache.withTransaction(() -> owned(owner, id).chain(key -> {
            if (key.revokedAt != null) {
                return Uni.createFrom().failure(ProblemException.conflict("API_KEY_REVOKED", "This key is already revoked."));
            }
            return revokeNow(key, reason).replaceWith(key);
        }));
    }

    public Uni<Void> delete(Principal owner, UUID id) {
        return Panache.withTransaction(() -> owned(owner, id)
                .chain(key -> (key.revokedAt == null ? revokeNow(key, "deleted") : Uni.createFrom().voidItem())
                        .chain(key::delete)));
    }

    /** Revokes every active key of a user (a ban); call inside a transaction. */
    public Uni<Integer> revokeAllOf(UUID userId, String reason) {
        return ApiKey.<ApiKey>list("userId = ?1 and revokedAt is null", userId).chain(keys -> {
            Uni<Integer> count = Uni.createFrom().item(0);
            for (ApiKey key : keys) {
                count = count.chain(n -> revokeNow(key, reason).replaceWith(n + 1));
            }
            return count;
        });
    }

    /** The gateway's exchange: a key and the caller's address for a short-lived token. */
    public Uni<Exchanged> exchange(String secret, String callerIp) {
        KeyFormat.Parsed parsed = KeyFormat.parse(secret);
        if (parsed == null) {
            return Uni.createFrom().failure(invalidKey());
        }
        Instant now = clock.instant();
        return Panache.withSession(() -> ApiKey.<ApiKey>find("secretHash", Secrets.sha256(secret)).firstResult()
                .chain(key -> {
                    if (key == null) {
                        return Uni.createFrom().failure(invalidKey());
                    }
                    if (key.revokedAt != null) {
                        return Uni.createFrom().failure(ProblemException.unauthorized("API_KEY_REVOKED", "This API key was revoked."));
                    }
                    if (key.expiresAt != null && !key.expiresAt.isAfter(now)) {
                        return Uni.createFrom().failure(ProblemException.unauthorized("API_KEY_EXPIRED", "This API key has expired."));
                    }
                    if (!IpRules.allows(key.allowedIps, callerIp)) {
                        return Uni.createFrom().failure(ProblemException.forbidden("IP_NOT_ALLOWED",
                                "This API key may not be used from this address."));
                    }
                    return User.<User>findById(key.userId).map(user -> {
                        if (user == null || user.banned(now)) {
                            throw ProblemException.forbidden("USER_BANNED", "The owner of this API key is banned.");
                        }
                        usage.record(key.id, now);
                        return new Exchanged(issuer.apiKey(user.id, user.tenantId, key.id, user.role, user.emailVerified(),
                                key.scopes, key.rateLimitRpm, key.expiresAt), key);
                    });
                }));
    }

    private Uni<Void> revokeNow(ApiKey key, String reason) {
        Instant now = clock.instant();
        key.revokedAt = now;
        key.updatedAt = now;
        return announce(key, new ApiKeyRevoked(key.id, key.keyPrefix, key.userId, key.tenantId, key.scopes, reason, now));
    }

    private Uni<Void> announce(ApiKey key, Object event) {
        return outbox.append(key.id.toString(), "api-keys/" + key.id, event).replaceWithVoid();
    }

    private static Uni<ApiKey> owned(Principal owner, UUID id) {
        return ApiKey.<ApiKey>findById(id).map(key -> {
            if (key == null || !key.userId.equals(owner.userUuid())) {
                throw ProblemException.notFound("API key " + id);
            }
            return key;
        });
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
