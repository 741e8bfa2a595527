package io.tollgate.identity.mfa;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.MfaDisabled;
import io.tollgate.contracts.identity.MfaEnabled;
import io.tollgate.identity.auth.BruteForceGuard;
import io.tollgate.identity.auth.ClientInfo;
import io.tollgate.identity.auth.LoginRecord;
import io.tollgate.identity.crypto.SecretBox;
import io.tollgate.identity.crypto.Secrets;
import io.tollgate.identity.sessions.SessionService;
import io.tollgate.identity.users.User;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.reactive.mutiny.Mutiny;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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

    private final SecretBox box;
    private final BruteForceGuard guard;
    private final SessionService sessions;
    private final Outbox outbox;
    private final Clock clock;

    public MfaService(SecretBox box, SessionService sessions, Outbox outbox, BruteForceGuard guard, Clock clock) {
        this.guard = guard;
        this.box = box;
        this.sessions = sessions;
        this.outbox = outbox;
        this.clock = clock;
    }

    public Uni<Setup> setup(UUID userId, String label) {
        String secret = Totp.newSecret();
        UUID factorId = UUID.randomUUID();
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String raw = Secrets.token(8).replaceAll("[^A-Za-z0-9]", "x").toLowerCase();
            codes.add(raw.substring(0, 5) + "-" + raw.substring(5, 10));
        }
        return Panache.withTransaction(() -> User.<User>findById(userId).chain(user -> {
            if (user.mfaEnabled) {
                return Uni.createFrom().failure(ProblemException.conflict("MFA_ALREADY_ENABLED", "A second factor is already active."));
            }
            return Panache.getSession().chain(db -> db.createNativeQuery("delete from recovery_codes where user_id = ?1")
                            .setParameter(1, userId).executeUpdate()
                            .chain(() -> db.createNativeQuery("delete from mfa_factors where user_id = ?1").setParameter(1, userId).executeUpdate())
                            .chain(() -> db.createNativeQuery("insert into mfa_factors (id, user_id, factor_type, label, secret_enc) values (?1, ?2, 'TOTP', ?3, ?4)")
                                    .setParameter(1, factorId).setParameter(2, userId).setParameter(3, label)
                                    .setParameter(4, box.seal(secret)).executeUpdate())
                            .chain(() -> insertCodes(db, userId, factorId, codes)))
                    .replaceWith(new Setup(factorId, secret, Totp.uri("Tollgate", user.email, secret), codes));
        }));
    }

    public Uni<Void> confirm(UUID userId, UUID factorId, String code) {
        return Panache.withTransaction(() -> consumeTotp(userId, factorId, code, false).chain(ok -> {
            if (!ok) {
                return Uni.createFrom().failure(invalidCode());
            }
            return Panache.getSession().chain(db -> db.createNativeQuery("update mfa_factors set confirmed_at = ?2 where id = ?1")
                            .setParameter(1, factorId).setParameter(2, utc(clock.instant())).executeUpdate())
                    .chain(() -> User.<User>findById(userId)).invoke(user -> user.mfaEnabled = true)
                    .chain(user -> outbox.append(user.id.toString(), "users/" + user.id,
                            new MfaEnabled(user.id, user.tenantId, "TOTP", clock.instant()))).replaceWithVoid();
        }));
    }

    public Uni<Void> disable(UUID userId, String code) {
        return Panache.withTransaction(() -> verifyAnyCode(userId, code).chain(ok -> {
            if (!ok) {
                return Uni.createFrom().failure(invalidCode());
            }
            return Panache.getSession().chain(db -> db.createNativeQuery("delete from recovery_codes where user_id = ?1")
                            .setParameter(1, userId).executeUpdate()
                            .chain(() -> db.createNativeQuery("delete from mfa_factors where user_id = ?1").setParameter(1, userId).executeUpdate()))
                    .chain(() -> User.<User>findById(userId)).invoke(user -> user.mfaEnabled = false)
                    .chain(user -> outbox.append(user.id.toString(), "users/" + user.id,
                            new MfaDisabled(user.id, user.tenantId, "TOTP", clock.instant()))).replaceWithVoid();
        }));
    }

    /** The password was right and the account has a second factor: a short-lived challenge instead of tokens. */
    public Uni<String> challenge(User user, String deviceName, ClientInfo client) {
        String token = "mfa_" + Secrets.token(32);
        return Panache.withTransaction(() -> Panache.getSession().chain(db -> db.createNativeQuery(
                        "insert into mfa_challenges (token_hash, user_id, device_name, user_agent, ip_address, expires_at) values (?1, ?2, ?3, ?4, ?5, ?6)")
                .setParameter(1, Secrets.sha256(token)).setParameter(2, user.id).setParameter(3, deviceName)
                .setParameter(4, client.userAgent()).setParameter(5, client.ip())
                .setParameter(6, utc(clock.instant().plus(CHALLENGE_TTL))).executeUpdate())).replaceWith(token);
    }

    /** Completes a login challenge with a TOTP or recovery code. */
    public Uni<SessionService.Tokens> complete(String mfaToken, String code, ClientInfo client) {
        Instant now = clock.instant();
        String hash = Secrets.sha256(mfaToken);
        return Panache.withTransaction(() -> Panache.getSession().chain(db -> db.createNativeQuery(
                        "update mfa_challenges set attempts = attempts + 1 where token_hash = ?1 and used_at is null and expires_at > ?2 "
                                + "and attempts < ?3 returning cast(user_id as text), device_name", Object[].class)
                .setParameter(1, hash).setParameter(2, utc(now)).setParameter(3, MAX_CHALLENGE_ATTEMPTS).getResultList()))
                .chain(rows -> {
                    if (rows.isEmpty()) {
                        return Uni.createFrom().failure(ProblemException.unauthorized("INVALID_MFA_TOKEN",
                                "The MFA challenge is unknown, used up or expired; sign in again."));
                    }
                    UUID userId = UUID.fromString((String) rows.getFirst()[0]);
                    String device = (String) rows.getFirst()[1];
                    // Wrong codes count per account across challenges (each login issues a fresh one), with
                    // the same doubling lockout as passwords; a locked account is 429 whatever the code.
                    String account = "mfa:" + userId;
                    return guard.check(account, client.ip()).chain(() -> Panache.withTransaction(() -> factorOf(userId).chain(factor -> factor == null
                                    ? Uni.createFrom().item("none")
                                    : consumeTotp(userId, factor, code, true).chain(totp -> totp ? Uni.createFrom().item("otp")
                                    : consumeRecovery(userId, code).map(rec -> rec ? "rec" : "none")))
                            .chain(method -> {
                                if ("none".equals(method)) {
                                    return Uni.createFrom().failure(invalidCode());
                                }
                                return Panache.getSession().chain(db -> db.createNativeQuery("update mfa_challenges set used_at = ?2 where token_hash = ?1")
                                                .setParameter(1, hash).setParameter(2, utc(now)).executeUpdate())
                                        .chain(() -> User.<User>findById(userId))
                                        .chain(user -> sessions.open(user, client, device, List.of("pwd", method))
                                                .call(() -> LoginRecord.of(user.tenantId, user.id, user.email, true, null, client, now).persist()));
                            })))
                            .onFailure(MfaService::isInvalidCode).call(() -> guard.failed(account, client.ip()))
                            .call(() -> guard.succeeded(account));
                });
    }

    private Uni<Boolean> verifyAnyCode(UUID userId, String code) {
        return factorOf(userId).chain(factor -> factor == null ? Uni.createFrom().item(false)
                : consumeTotp(userId, factor, code, true).chain(ok -> ok ? Uni.createFrom().item(true) : consumeRecovery(userId, code)));
    }

    private Uni<UUID> factorOf(UUID userId) {
        return Panache.getSession().chain(db -> db.createNativeQuery(
                        "select cast(id as text) from mfa_factors where user_id = ?1 and confirmed_at is not null", String.class)
                .setParameter(1, userId).getResultList()).map(ids -> ids.isEmpty() ? null : UUID.fromString(ids.getFirst()));
    }

    // Accepts the code only for a time step later than the last one used, in one conditional UPDATE.
    private Uni<Boolean> consumeTotp(UUID userId, UUID factorId, String code, boolean mustBeConfirmed) {
        return Panache.getSession().chain(db -> db.createNativeQuery(
                        "select secret_enc from mfa_factors where id = ?1 and user_id = ?2" + (mustBeConfirmed ? " and confirmed_at is not null" : ""),
                        String.class)
                .setParameter(1, factorId).setParameter(2, userId).getResultList()
                .chain(secrets -> {
                    if (secrets.isEmpty()) {
                        return Uni.createFrom().item(false);
                    }
                    OptionalLong step = Totp.matchingStep(box.open(secrets.getFirst()), code, clock.instant());
                    if (step.isEmpty()) {
                        return Uni.createFrom().item(false);
                    }
                    return db.createNativeQuery("update mfa_factors set last_used_step = ?2 where id = ?1 and last_used_step < ?2")
                            .setParameter(1, factorId).setParameter(2, step.getAsLong()).executeUpdate().map(n -> n == 1);
                }));
    }

    private Uni<Boolean> consumeRecovery(UUID userId, String code) {
        if (code == null || code.length() > 20) {
            return Uni.createFrom().item(false);
        }
        return Panache.getSession().chain(db -> db.createNativeQuery(
                        "update recovery_codes set used_at = ?3 where user_id = ?1 and code_hash = ?2 and used_at is null")
                .setParameter(1, userId).setParameter(2, Secrets.sha256(userId + ":" + code.trim().toLowerCase()))
                .setParameter(3, utc(clock.instant())).executeUpdate()).map(n -> n == 1);
    }

    private Uni<Void> insertCodes(Mutiny.Session db, UUID userId, UUID factorId, List<String> codes) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (String code : codes) {
            chain = chain.chain(() -> db.createNativeQuery("insert into recovery_codes (id, user_id, factor_id, code_hash) values (?1, ?2, ?3, ?4)")
                    .setParameter(1, UUID.randomUUID()).setParameter(2, userId).setParameter(3, factorId)
                    .setParameter(4, Secrets.sha256(userId + ":" + code)).executeUpdate().replaceWithVoid());
        }
        return chain;
    }

    private static boolean isInvalidCode(Throwable failure) {
        return failure instanceof ProblemException problem && "INVALID_CODE".equals(problem.code());
    }

    private static ProblemException invalidCode() {
        return ProblemException.badRequest("INVALID_CODE", "The code is wrong, expired or already used.");
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
