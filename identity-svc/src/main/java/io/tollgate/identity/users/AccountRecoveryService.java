package io.tollgate.identity.users;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.Startup;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.EmailVerified;
import io.tollgate.contracts.identity.PasswordResetRequested;
import io.tollgate.contracts.identity.VerificationRequested;
import io.tollgate.identity.crypto.PasswordHasher;
import io.tollgate.identity.crypto.Secrets;
import io.tollgate.identity.sessions.SessionService;
import io.tollgate.identity.tenants.Tenant;
import io.tollgate.kit.crypto.EventSeal;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * E-mail verification (by link token or 6-digit code) and password reset and change. Tokens and
 * codes are stored only as digests and are single use; requests that could reveal whether an
 * account exists always answer the same way.
 */
@ApplicationScoped
@Startup
public class AccountRecoveryService {

    private static final Duration VERIFICATION_TTL = Duration.ofHours(24);
    private static final Duration RESET_TTL = Duration.ofHours(1);
    private static final int MAX_CODE_ATTEMPTS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(AccountRecoveryService.class);

    private final Outbox outbox;
    private final PasswordHasher hasher;
    private final SessionService sessions;
    private final ReactiveRedisDataSource redis;
    private final EventSeal seal;
    private final Clock clock;

    public AccountRecoveryService(Outbox outbox, PasswordHasher hasher, SessionService sessions,
                                  ReactiveRedisDataSource redis, EventSeal seal, Clock clock) {
        seal.requireConfigured();
        this.seal = seal;
        this.outbox = outbox;
        this.hasher = hasher;
        this.sessions = sessions;
        this.redis = redis;
        this.clock = clock;
    }

    /** Creates a verification (superseding earlier ones) and asks for the mail; call inside a transaction. */
    public Uni<Void> requestVerification(User user) {
        String token = Secrets.token(32);
        String code = Secrets.digits(6);
        Instant now = clock.instant();
        Instant expires = now.plus(VERIFICATION_TTL);
        return Panache.getSession().chain(db -> db.createNativeQuery(
                        "update email_verifications set used_at = ?2 where user_id = ?1 and used_at is null")
                .setParameter(1, user.id).setParameter(2, utc(now)).executeUpdate()
                .chain(() -> db.createNativeQuery("insert into email_verifications (id, user_id, token_hash, code_hash, expires_at) "
                                + "values (?1, ?2, ?3, ?4, ?5)")
                        .setParameter(1, UUID.randomUUID()).setParameter(2, user.id).setParameter(3, Secrets.sha256(token))
                        .setParameter(4, Secrets.sha256(user.id + ":" + code)).setParameter(5, utc(expires)).executeUpdate()))
                .chain(() -> outbox.append(user.id.toString(), "users/" + user.id, new VerificationRequested(user.id,
                        user.tenantId, user.email, user.fullName, user.locale,
                        sealed(VerificationRequested.TYPE, user.id, Map.of("token", token, "code", code)), expires)))
                .replaceWithVoid();
    }

    /** The secrets of a mail, sealed so that only notification-svc can read them from the event. */
    private String sealed(String type, UUID userId, Map<String, String> secrets) {
        try {
            return seal.seal(JSON.writeValueAsString(secrets), type, "users/" + userId);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Verifies by the link's token. */
    public Uni<User> verifyByToken(String token) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> Panache.getSession().chain(db -> db.createNativeQuery(
                        "update email_verifications set used_at = ?2 where token_hash = ?1 and used_at is null and expires_at > ?2 "
                                + "returning cast(user_id as text)", String.class)
                .setParameter(1, Secrets.sha256(token)).setParameter(2, utc(now)).getResultList())
                .chain(ids -> ids.isEmpty() ? Uni.createFrom().failure(invalidToken()) : markVerified(UUID.fromString(ids.getFirst()), now)));
    }

    /** Verifies by the 6-digit code; five wrong codes void the verification. */
    public Uni<User> verifyByCode(String tenantSlug, String email, String code) {
        Instant now = clock.instant();
        // Wrong codes must be counted even though the request fails: decide inside, fail after the commit.
        return Panache.withTransaction(() -> findUser(tenantSlug, email).chain(user -> {
            if (user == null) {
                return Uni.createFrom().<User>nullItem();
            }
            return Panache.getSession().chain(db -> db.createNativeQuery(
                            "update email_verifications set used_at = case when code_hash = ?2 then ?3 else used_at end, "
                                    + "attempts = attempts + case when code_hash = ?2 then 0 else 1 end "
                                    + "where user_id = ?1 and used_at is null and expires_at > ?3 and attempts < ?4 "
                                    + "returning (code_hash = ?2)", Boolean.class)
                    .setParameter(1, user.id).setParameter(2, Secrets.sha256(user.id + ":" + code)).setParameter(3, utc(now))
                    .setParameter(4, MAX_CODE_ATTEMPTS).getResultList())
                    .chain(matched -> matched.contains(Boolean.TRUE) ? markVerified(user.id, now) : Uni.createFrom().<User>nullItem());
        })).onItem().ifNull().failWith(AccountRecoveryService::invalidCode);
    }

    /** Sends a new verification if the account exists and is unverified; at most once a minute. Always quiet. */
    public Uni<Void> resendVerification(String tenantSlug, String email) {
        return throttle("verify", tenantSlug, email).chain(allowed -> !allowed ? Uni.createFrom().voidItem()
                : Panache.withTransaction(() -> findUser(tenantSlug, email).chain(user ->
                        user == null || user.emailVerified() ? Uni.createFrom().voidItem() : requestVerification(user))));
    }

    /**
     * Starts {@code work} on a context of its own and returns at once, so that the answer leaves
     * before anything that depends on whether the account exists has run: a known account's reset
     * (a row, an event, a commit) and an unknown one's (nothing) take the same time to answer.
     */
    public void inBackground(String what, Supplier<Uni<Void>> work) {
        Context current = Vertx.currentContext();
        Context own = current == null ? null : VertxContext.createNewDuplicatedContext(current);
        if (own != null) {
            VertxContextSafetyToggle.setContextSafe(own, true);
        }
        Runnable start = () -> work.get().subscribe().with(done -> { },
                failure -> LOG.warnf("%s failed: %s", what, failure.toString()));
        if (own == null) {
            start.run();
        } else {
            own.runOnContext(ignored -> start.run());
        }
    }

    public Uni<Void> requestReset(String tenantSlug, String email) {
        return throttle("reset", tenantSlug, email).chain(allowed -> !allowed ? Uni.createFrom().voidItem()
                : Panache.withTransaction(() -> findUser(tenantSlug, email).chain(user -> {
                    if (user == null) {
                        return Uni.createFrom().voidItem();
                    }
                    String token = Secrets.token(32);
                    Instant expires = clock.instant().plus(RESET_TTL);
                    return Panache.getSession().chain(db -> db.createNativeQuery(
                                    "insert into password_resets (id, user_id, token_hash, expires_at) values (?1, ?2, ?3, ?4)")
                            .setParameter(1, UUID.randomUUID()).setParameter(2, user.id).setParameter(3, Secrets.sha256(token))
                            .setParameter(4, utc(expires)).executeUpdate())
                            .chain(() -> outbox.append(user.id.toString(), "users/" + user.id, new PasswordResetRequested(
                                    user.id, user.tenantId, user.email, user.fullName, user.locale,
                                    sealed(PasswordResetRequested.TYPE, user.id, Map.of("token", token)), expires)))
                            .replaceWithVoid();
                })));
    }

    /** Sets a new password with a reset token; every session of the account ends. */
    public Uni<Void> confirmReset(String token, String newPassword) {
        PasswordPolicy.check("new_password", newPassword);
        Instant now = clock.instant();
        return hasher.hashAsync(newPassword).chain(hash -> Panache.withTransaction(() -> Panache.getSession()
                .chain(db -> db.createNativeQuery("update password_resets set used_at = ?2 where token_hash = ?1 and used_at is null "
                                + "and expires_at > ?2 returning cast(user_id as text)", String.class)
                        .setParameter(1, Secrets.sha256(token)).setParameter(2, utc(now)).getResultList())
                .chain(ids -> {
                    if (ids.isEmpty()) {
                        return Uni.createFrom().failure(invalidToken());
                    }
                    UUID userId = UUID.fromString(ids.getFirst());
                    return User.<User>findById(userId).invoke(user -> {
                        user.passwordHash = hash;
                        user.updatedAt = now;
                    }).chain(() -> sessions.revokeAll(userId, null, "password_changed")).replaceWithVoid();
                })));
    }

    /** Changes the password of a signed-in user; the other sessions end, this one stays. */
    public Uni<Void> changePassword(UUID userId, UUID currentSession, String current, String newPassword) {
        PasswordPolicy.check("new_password", newPassword);
        return Panache.withSession(() -> User.<User>findById(userId))
                .chain(user -> hasher.verifyAsync(current, user.passwordHash))
                .chain(ok -> ok ? hasher.hashAsync(newPassword) : Uni.createFrom().<String>nullItem())
                .chain(hash -> {
                    if (hash == null) {
                        return Uni.createFrom().failure(new ProblemException(400, "INVALID_CURRENT_PASSWORD", "Bad request",
                                "The current password is wrong.", List.of(new io.tollgate.kit.problem.Problem.FieldError(
                                "current_password", "is wrong", null)), java.util.Map.of(), java.util.Map.of()));
                    }
                    return Panache.withTransaction(() -> User.<User>findById(userId).invoke(user -> {
                        user.passwordHash = hash;
                        user.updatedAt = clock.instant();
                    }).chain(() -> sessions.revokeAll(userId, currentSession, "password_changed"))).replaceWithVoid();
                });
    }

    private Uni<User> markVerified(UUID userId, Instant now) {
        return User.<User>findById(userId).chain(user -> {
            if (user.emailVerifiedAt != null) {
                return Uni.createFrom().item(user);
            }
            user.emailVerifiedAt = now;
            user.updatedAt = now;
            return outbox.append(user.id.toString(), "users/" + user.id,
                    new EmailVerified(user.id, user.tenantId, user.email, user.fullName, now)).replaceWith(user);
        });
    }

    private static Uni<User> findUser(String tenantSlug, String email) {
        return Tenant.bySlug(tenantSlug == null || tenantSlug.isBlank() ? "default" : tenantSlug)
                .chain(tenant -> tenant == null ? Uni.createFrom().nullItem() : User.byEmail(tenant.id, email));
    }

    // One mail of a kind per account and minute, whether or not the account exists.
    private Uni<Boolean> throttle(String kind, String tenantSlug, String email) {
        String key = "mail:" + kind + ":" + (tenantSlug == null ? "default" : tenantSlug) + ":" + User.normalize(email);
        return redis.execute("SET", key, "1", "NX", "EX", "60").map(r -> r != null)
                .onFailure().recoverWithItem(true);
    }

    private static ProblemException invalidToken() {
        return ProblemException.badRequest("INVALID_TOKEN", "The token is unknown, already used or expired.");
    }

    private static ProblemException invalidCode() {
        return ProblemException.badRequest("INVALID_CODE", "The code is wrong or expired.");
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
