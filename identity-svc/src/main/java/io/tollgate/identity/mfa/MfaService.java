package io.tollgate.identity.mfa;

import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.MfaDisabled;
import io.tollgate.contracts.identity.MfaEnabled;
import io.tollgate.identity.auth.BruteForceGuard;
import io.tollgate.identity.auth.ClientInfo;
import io.tollgate.identity.crypto.SecretBox;
import io.tollgate.identity.crypto.Secrets;
import io.tollgate.identity.sessions.SessionService;
import io.tollgate.identity.users.User;
import io.tollgate.identity.users.UserRepository;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * TOTP second factor: setup (secret, otpauth URI, ten recovery codes shown once), confirmation,
 * the login challenge with an {@code mfa_token}, and disabling with a code. A TOTP code is never
 * accepted twice (the last used time step is kept); a recovery code works once.
 */
@ApplicationScoped
public class MfaService {

    public record Setup(UUID factorId, String secret, String qrCodeUrl, List<String> recoveryCodes) {
    }

    private static final Duration CHALLENGE_TTL = Duration.ofMinutes(5);
    private static final int MAX_CHALLENGE_ATTEMPTS = 5;

    private final MfaRepository factors;
    private final UserRepository users;
    private final SecretBox box;
    private final BruteForceGuard guard;
    private final SessionService sessions;
    private final Outbox outbox;
    private final Pool pool;
    private final Clock clock;

    public MfaService(MfaRepository factors, UserRepository users, SecretBox box, SessionService sessions, Outbox outbox,
                      BruteForceGuard guard, Pool pool, Clock clock) {
        this.factors = factors;
        this.users = users;
        this.guard = guard;
        this.box = box;
        this.sessions = sessions;
        this.outbox = outbox;
        this.pool = pool;
        this.clock = clock;
    }

    public Uni<Setup> setup(Owner owner, String label) {
        String secret = Totp.newSecret();
        UUID factorId = UUID.randomUUID();
        List<String> codes = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String raw = Secrets.token(8).replaceAll("[^A-Za-z0-9]", "x").toLowerCase();
            String code = raw.substring(0, 5) + "-" + raw.substring(5, 10);
            codes.add(code);
            hashes.add(Secrets.sha256(owner.userId() + ":" + code));
        }
        return users.byOwner(owner).onItem().ifNull().failWith(MfaService::accountGone).chain(user -> {
            if (user.mfaEnabled()) {
                return Uni.createFrom().failure(ProblemException.conflict("MFA_ALREADY_ENABLED", "A second factor is already active."));
            }
            // an earlier, unconfirmed setup gives way to this one
            return pool.withTransaction(tx -> factors.deleteFactors(tx, user.id())
                            .chain(() -> factors.insertFactor(tx, factorId, user.id(), label, box.seal(secret), hashes)))
                    .replaceWith(new Setup(factorId, secret, Totp.uri("Tollgate", user.email(), secret), codes));
        });
    }

    public Uni<Void> confirm(Owner owner, UUID factorId, String code) {
        return pool.withTransaction(tx -> consumeTotp(tx, owner.userId(), factorId, code, false).chain(ok -> {
            if (!ok) {
                return Uni.createFrom().failure(invalidCode());
            }
            return factors.confirmFactor(tx, owner.userId(), factorId, clock.instant())
                    .chain(() -> users.setMfaEnabled(tx, owner, true))
                    .chain(user -> outbox.append(tx, user.id().toString(), "users/" + user.id(),
                            new MfaEnabled(user.id(), user.tenantId(), "TOTP", clock.instant())))
                    .replaceWithVoid();
        }));
    }

    public Uni<Void> disable(Owner owner, String code) {
        return pool.withTransaction(tx -> verifyAnyCode(tx, owner.userId(), code).chain(ok -> {
            if (!ok) {
                return Uni.createFrom().failure(invalidCode());
            }
            return factors.deleteFactors(tx, owner.userId())
                    .chain(() -> users.setMfaEnabled(tx, owner, false))
                    .chain(user -> outbox.append(tx, user.id().toString(), "users/" + user.id(),
                            new MfaDisabled(user.id(), user.tenantId(), "TOTP", clock.instant())))
                    .replaceWithVoid();
        }));
    }

    /** The password was right and the account has a second factor: a short-lived challenge instead of tokens. */
    public Uni<String> challenge(User user, String deviceName, ClientInfo client) {
        String token = "mfa_" + Secrets.token(32);
        return factors.insertChallenge(Secrets.sha256(token), user.id(), deviceName, client.userAgent(), client.ip(),
                clock.instant().plus(CHALLENGE_TTL)).replaceWith(token);
    }

    /** Completes a login challenge with a TOTP or recovery code. */
    public Uni<SessionService.Tokens> complete(String mfaToken, String code, ClientInfo client) {
        Instant now = clock.instant();
        String hash = Secrets.sha256(mfaToken);
        // The attempt counts even when the code is wrong, so it commits on its own.
        return factors.attemptChallenge(hash, now, MAX_CHALLENGE_ATTEMPTS).chain(challenge -> {
            if (challenge == null) {
                return Uni.createFrom().failure(ProblemException.unauthorized("INVALID_MFA_TOKEN",
                        "The MFA challenge is unknown, used up or expired; sign in again."));
            }
            UUID userId = challenge.userId();
            // Wrong codes count per account across challenges (each login issues a fresh one), with
            // the same doubling lockout as passwords; a locked account is 429 whatever the code.
            String account = "mfa:" + userId;
            return guard.check(account, client.ip())
                    .chain(() -> pool.withTransaction(tx -> factors.confirmedFactor(tx, userId).chain(factor -> factor == null
                                    ? Uni.createFrom().item("none")
                                    : consumeTotp(tx, userId, factor, code, true).chain(totp -> totp ? Uni.createFrom().item("otp")
                                    : consumeRecovery(tx, userId, code).map(rec -> rec ? "rec" : "none")))
                            .chain(method -> {
                                if ("none".equals(method)) {
                                    return Uni.createFrom().failure(invalidCode());
                                }
                                return factors.spendChallenge(tx, hash, now)
                                        .chain(() -> users.byId(tx, userId))
                                        .chain(user -> sessions.open(tx, user, client, challenge.deviceName(), List.of("pwd", method)));
                            })))
                    .onFailure(MfaService::isInvalidCode).call(() -> guard.failed(account, client.ip()))
                    .call(() -> guard.succeeded(account));
        });
    }

    private Uni<Boolean> verifyAnyCode(SqlClient tx, UUID userId, String code) {
        return factors.confirmedFactor(tx, userId).chain(factor -> factor == null ? Uni.createFrom().item(false)
                : consumeTotp(tx, userId, factor, code, true).chain(ok -> ok ? Uni.createFrom().item(true) : consumeRecovery(tx, userId, code)));
    }

    // Accepts the code only for a time step later than the last one used, in one conditional UPDATE.
    private Uni<Boolean> consumeTotp(SqlClient tx, UUID userId, UUID factorId, String code, boolean mustBeConfirmed) {
        return factors.sealedSecret(tx, userId, factorId, mustBeConfirmed).chain(sealed -> {
            if (sealed == null) {
                return Uni.createFrom().item(false);
            }
            OptionalLong step = Totp.matchingStep(box.open(sealed), code, clock.instant());
            if (step.isEmpty()) {
                return Uni.createFrom().item(false);
            }
            return factors.useStep(tx, factorId, step.getAsLong());
        });
    }

    private Uni<Boolean> consumeRecovery(SqlClient tx, UUID userId, String code) {
        if (code == null || code.length() > 20) {
            return Uni.createFrom().item(false);
        }
        return factors.spendRecoveryCode(tx, userId, Secrets.sha256(userId + ":" + code.trim().toLowerCase()), clock.instant());
    }

    private static boolean isInvalidCode(Throwable failure) {
        return failure instanceof ProblemException problem && "INVALID_CODE".equals(problem.code());
    }

    private static ProblemException invalidCode() {
        return ProblemException.badRequest("INVALID_CODE", "The code is wrong, expired or already used.");
    }

    private static ProblemException accountGone() {
        return ProblemException.unauthorized("UNAUTHORIZED", "The account no longer exists.");
    }
}
