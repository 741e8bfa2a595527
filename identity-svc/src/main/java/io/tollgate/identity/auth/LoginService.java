package io.tollgate.identity.auth;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.tollgate.identity.crypto.PasswordHasher;
import io.tollgate.identity.mfa.MfaService;
import io.tollgate.identity.sessions.SessionService;
import io.tollgate.identity.tenants.Tenant;
import io.tollgate.identity.users.User;
import io.tollgate.kit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.UUID;

/**
 * E-mail and password sign-in. Unknown accounts cost the same Argon2 work as known ones and get
 * the same answer; every attempt lands in the login history.
 */
@ApplicationScoped
public class LoginService {

    private final PasswordHasher hasher;
    private final BruteForceGuard guard;
    private final SessionService sessions;
    private final MfaService mfa;
    private final Clock clock;

    public LoginService(PasswordHasher hasher, BruteForceGuard guard, SessionService sessions, MfaService mfa, Clock clock) {
        this.hasher = hasher;
        this.guard = guard;
        this.sessions = sessions;
        this.mfa = mfa;
        this.clock = clock;
    }

    public Uni<SessionService.Tokens> login(String tenantSlug, String email, String password, String deviceName,
                                            ClientInfo client) {
        String slug = tenantSlug == null || tenantSlug.isBlank() ? "default" : tenantSlug;
        String account = slug + ":" + User.normalize(email);
        return guard.check(account, client.ip())
                .chain(() -> Panache.withSession(() -> Tenant.bySlug(slug)
                        .chain(tenant -> tenant == null ? Uni.createFrom().nullItem() : User.byEmail(tenant.id, email))))
                .chain(user -> hasher.verifyAsync(password, user == null ? null : user.passwordHash).chain(ok -> {
                    if (!ok) {
                        return guard.failed(account, client.ip())
                                .chain(() -> history(user, email, false, "INVALID_CREDENTIALS", client))
                                .chain(() -> Uni.createFrom().failure(ProblemException.unauthorized("INVALID_CREDENTIALS",
                                        "The e-mail or password is wrong.")));
                    }
                    if (user.banned(clock.instant())) {
                        return history(user, email, false, "USER_BANNED", client)
                                .chain(() -> Uni.createFrom().failure(banned(user)));
                    }
                    if (user.mfaEnabled) {
                        return guard.succeeded(account)
                                .chain(() -> history(user, email, false, "MFA_REQUIRED", client))
                                .chain(() -> mfa.challenge(user, deviceName, client))
                                .chain(token -> Uni.createFrom().failure(ProblemException.forbidden("MFA_REQUIRED",
                                        "Enter a code from your authenticator app.").with("mfa_token", token)));
                    }
                    return guard.succeeded(account).chain(() -> sessions.openAfterLogin(user, client, deviceName, email));
                }));
    }

    private Uni<Void> history(User user, String email, boolean success, String code, ClientInfo client) {
        UUID tenant = user == null ? null : user.tenantId;
        UUID id = user == null ? null : user.id;
        return Panache.withTransaction(() -> LoginRecord.of(tenant, id, email, success, code, client, clock.instant()).persist()).replaceWithVoid();
    }

    static ProblemException banned(User user) {
        ProblemException problem = ProblemException.forbidden("USER_BANNED", "This account is banned"
                + (user.banReason == null ? "." : ": " + user.banReason));
        if (user.unblockAt != null) {
            problem.with("unblock_date", user.unblockAt.toString());
        }
        return problem;
    }
}
