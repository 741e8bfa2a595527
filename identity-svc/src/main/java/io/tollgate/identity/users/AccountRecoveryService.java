package io.tollgate.identity.users;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.Startup;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.EmailVerified;
import io.tollgate.contracts.identity.PasswordResetRequested;
import io.tollgate.contracts.identity.VerificationRequested;
import io.tollgate.identity.crypto.PasswordHasher;
import io.tollgate.identity.crypto.Secrets;
import io.tollgate.identity.sessions.SessionService;
import io.tollgate.identity.tenants.TenantRepository;
import io.tollgate.kit.crypto.EventSeal;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.Problem;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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

    private final RecoveryRepository recovery;
    private final UserRepository users;
    private final TenantRepository tenants;
    private final Pool pool;
    private final Outbox outbox;
    private final PasswordHasher hasher;
    private final SessionService sessions;
    private final ReactiveRedisDataSource redis;
    private final EventSeal seal;
    private final Clock clock;

    public AccountRecoveryService(RecoveryRepository recovery, UserRepository users, TenantRepository tenants, Pool pool,
                                  Outbox outbox, PasswordHasher hasher, SessionService sessions, ReactiveRedisDataSource redis,
                                  EventSeal seal, Clock clock) {
        seal.requireConfigured();
        this.seal = seal;
        this.recovery = recovery;
        this.users = users;
        this.tenants = tenants;
        this.pool = pool;
        this.outbox = outbox;
        this.hasher = hasher;
        this.sessions = sessions;
        this.redis = redis;
        this.clock = clock;
    }

    /** Creates a verification (superseding earlier ones) and asks for the mail, in the caller's transaction {@code tx}. */
    public Uni<Void> requestVerification(SqlClient tx, User user) {
        String token = Secrets.token(32);
        String code = Secrets.digits(6);
        Instant now = clock.instant();
        Instant expires = now.plus(VERIFICATION_TTL);
        return recovery.supersedeVerifications(tx, user.id(), now)
                .chain(() -> recovery.insertVerification(tx, user.id(), Secrets.sha256(token), Secrets.sha256(user.id() + ":" + code),
                        expires))
                .chain(() -> outbox.append(tx, user.id().toString(), "users/" + user.id(), new VerificationRequested(user.id(),
                        user.tenantId(), user.email(), user.fullName(), user.locale(),
                        sealed(VerificationRequested.TYPE, user.id(), Map.of("token", token, "code", code)), expires)))
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
        return pool.withTransaction(tx -> recovery.spendVerificationToken(tx, Secrets.sha256(token), now)
                .chain(userId -> userId == null ? Uni.createFrom().failure(invalidToken()) : markVerified(tx, userId, now)));
    }

    /** What opening a verification link did. */
    public enum LinkOutcome { VERIFIED, ALREADY_VERIFIED, EXPIRED, UNKNOWN }

    /** The outcome of opening a link, and the tenant whose look the page takes (null when the token is unknown). */
    public record Opened(LinkOutcome outcome, UUID tenantId) {
    }

    /**
     * Opens the verification link of the mail: an open token verifies the address; a used,
     * superseded or expired one says whether the address is verified already (then nothing is left
     * to do) or not (then a new mail can be asked for with the same token, {@link #resendByToken}).
     */
    public Uni<Opened> openVerificationLink(String token) {
        Instant now = clock.instant();
        return pool.withTransaction(tx -> recovery.verificationToken(tx, Secrets.sha256(token), now).chain(state -> {
            if (state == null) {
                return Uni.createFrom().item(new Opened(LinkOutcome.UNKNOWN, null));
            }
            if (state.userVerified()) {
                return Uni.createFrom().item(new Opened(LinkOutcome.ALREADY_VERIFIED, state.tenantId()));
            }
            if (!state.open()) {
                return Uni.createFrom().item(new Opened(LinkOutcome.EXPIRED, state.tenantId()));
            }
            return recovery.spendVerificationToken(tx, Secrets.sha256(token), now).chain(userId -> userId == null
                    ? Uni.createFrom().item(new Opened(LinkOutcome.EXPIRED, state.tenantId()))
                    : markVerified(tx, userId, now).replaceWith(new Opened(LinkOutcome.VERIFIED, state.tenantId())));
        }));
    }

    /**
     * Sends a new verification mail to the user of a known (used or expired) link token whose
     * address is not verified yet; at most once a minute per user. Quiet either way.
     */
    public Uni<Void> resendByToken(String token) {
        Instant now = clock.instant();
        return pool.withTransaction(tx -> recovery.verificationToken(tx, Secrets.sha256(token), now).chain(state -> {
            if (state == null || state.userVerified()) {
                return Uni.createFrom().voidItem();
            }
            return redis.execute("SET", "mail:verify:user:" + state.userId(), "1", "NX", "EX", "60").map(r -> r != null)
                    .onFailure().recoverWithItem(true)
                    .chain(allowed -> !allowed ? Uni.createFrom().voidItem() : users.byId(tx, state.userId())
                            .chain(user -> user == null || user.emailVerified() ? Uni.createFrom().voidItem() : requestVerification(tx, user)));
        }));
    }

    /** The tenant of a verification link's user, or null when the token is unknown. */
    public Uni<UUID> openVerificationLinkState(String token) {
        return pool.withTransaction(tx -> recovery.verificationToken(tx, Secrets.sha256(token), clock.instant()))
                .map(state -> state == null ? null : state.tenantId());
    }

    /** A reset link's state (open, used or expired) and its tenant; null when the token is unknown. */
    public Uni<RecoveryRepository.TokenState> resetLink(String token) {
        return pool.withTransaction(tx -> recovery.resetToken(tx, Secrets.sha256(token), clock.instant()));
    }

    /** Verifies by the 6-digit code; five wrong codes void the verification. */
    public Uni<User> verifyByCode(String tenantSlug, String email, String code) {
        Instant now = clock.instant();
        // Wrong codes must be counted even though the request fails: decide inside, fail after the commit.
        return pool.withTransaction(tx -> findUser(tx, tenantSlug, email).chain(user -> {
            if (user == null) {
                return Uni.createFrom().<User>nullItem();
            }
            return recovery.tryVerificationCode(tx, user.id(), Secrets.sha256(user.id() + ":" + code), now, MAX_CODE_ATTEMPTS)
                    .chain(matched -> matched ? markVerified(tx, user.id(), now) : Uni.createFrom().<User>nullItem());
        })).onItem().ifNull().failWith(AccountRecoveryService::invalidCode);
    }

    /** Sends a new verification if the account exists and is unverified; at most once a minute. Always quiet. */
    public Uni<Void> resendVerification(String tenantSlug, String email) {
        return throttle("verify", tenantSlug, email).chain(allowed -> !allowed ? Uni.createFrom().voidItem()
                : pool.withTransaction(tx -> findUser(tx, tenantSlug, email).chain(user ->
                        user == null || user.emailVerified() ? Uni.createFrom().voidItem() : requestVerification(tx, user))));
    }

    /**
     * Starts {@code work} on a context of its own and returns at once, so that the answer leaves
     * before anything that depends on whether the account exists has run: a known account's reset
     * (a row, an event, a commit) and an unknown one's (nothing) take the same time to answer.
     */
    public void inBackground(String what, Supplier<Uni<Void>> work) {
        Runnable start = () -> work.get().subscribe().with(done -> { },
                failure -> LOG.warnf("%s failed: %s", what, failure.toString()));
        Context current = Vertx.currentContext();
        if (current == null) {
            start.run();
        } else {
            VertxContext.createNewDuplicatedContext(current).runOnContext(ignored -> start.run());
        }
    }

    public Uni<Void> requestReset(String tenantSlug, String email) {
        return throttle("reset", tenantSlug, email).chain(allowed -> !allowed ? Uni.createFrom().voidItem()
                : pool.withTransaction(tx -> findUser(tx, tenantSlug, email).chain(user -> {
                    if (user == null) {
                        return Uni.createFrom().voidItem();
                    }
                    String token = Secrets.token(32);
                    Instant expires = clock.instant().plus(RESET_TTL);
                    return recovery.insertReset(tx, user.id(), Secrets.sha256(token), expires)
                            .chain(() -> outbox.append(tx, user.id().toString(), "users/" + user.id(), new PasswordResetRequested(
                                    user.id(), user.tenantId(), user.email(), user.fullName(), user.locale(),
                                    sealed(PasswordResetRequested.TYPE, user.id(), Map.of("token", token)), expires)))
                            .replaceWithVoid();
                })));
    }

    /** Sets a new password with a reset token; every session of the account ends. */
    public Uni<Void> confirmReset(String token, String newPassword) {
        PasswordPolicy.check("new_password", newPassword);
        Instant now = clock.instant();
        return hasher.hashAsync(newPassword).chain(hash -> pool.withTransaction(tx -> recovery.spendReset(tx, Secrets.sha256(token), now)
                .chain(userId -> {
                    if (userId == null) {
                        return Uni.createFrom().failure(invalidToken());
                    }
                    return users.setPassword(tx, userId, hash, now)
                            .chain(() -> sessions.revokeAll(tx, userId, null, "password_changed")).replaceWithVoid();
                })));
    }

    /** Changes the password of a signed-in user; the other sessions end, this one stays. */
    public Uni<Void> changePassword(Owner owner, UUID currentSession, String current, String newPassword) {
        PasswordPolicy.check("new_password", newPassword);
        return users.byOwner(owner)
                .onItem().ifNull().failWith(() -> ProblemException.unauthorized("UNAUTHORIZED", "The account no longer exists."))
                .chain(user -> hasher.verifyAsync(current, user.passwordHash()))
                .chain(ok -> ok ? hasher.hashAsync(newPassword) : Uni.createFrom().<String>nullItem())
                .chain(hash -> {
                    if (hash == null) {
                        return Uni.createFrom().failure(new ProblemException(400, "INVALID_CURRENT_PASSWORD", "Bad request",
                                "The current password is wrong.", List.of(new Problem.FieldError("current_password", "is wrong", null)),
                                Map.of(), Map.of()));
                    }
                    return pool.withTransaction(tx -> users.setPassword(tx, owner.userId(), hash, clock.instant())
                            .chain(() -> sessions.revokeAll(tx, owner.userId(), currentSession, "password_changed"))).replaceWithVoid();
                });
    }

    // Marks the address verified in tx, with its event the first time only.
    private Uni<User> markVerified(SqlClient tx, UUID userId, Instant now) {
        return users.markVerified(tx, userId, now).chain(verified -> verified == null ? users.byId(tx, userId)
                : outbox.append(tx, verified.id().toString(), "users/" + verified.id(),
                        new EmailVerified(verified.id(), verified.tenantId(), verified.email(), verified.fullName(), now)).replaceWith(verified));
    }

    private Uni<User> findUser(SqlClient tx, String tenantSlug, String email) {
        return tenants.bySlug(tx, tenantSlug == null || tenantSlug.isBlank() ? "default" : tenantSlug)
                .chain(tenant -> tenant == null ? Uni.createFrom().<User>nullItem() : users.byEmail(tx, tenant.id(), email));
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
}
