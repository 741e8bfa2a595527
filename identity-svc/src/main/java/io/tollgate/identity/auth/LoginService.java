package io.tollgate.identity.auth;

import io.smallrye.mutiny.Uni;
import io.tollgate.identity.crypto.PasswordHasher;
import io.tollgate.identity.mfa.MfaService;
import io.tollgate.identity.sessions.SessionService;
import io.tollgate.identity.tenants.TenantRepository;
import io.tollgate.identity.users.User;
import io.tollgate.identity.users.UserRepository;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import io.vertx.mutiny.sqlclient.Pool;
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
    private final TenantRepository tenants;
    private final UserRepository users;
    private final LoginHistoryRepository history;
    private final Pool pool;
    private final Clock clock;

    public LoginService(PasswordHasher hasher, BruteForceGuard guard, SessionService sessions, MfaService mfa,
                        TenantRepository tenants, UserRepository users, LoginHistoryRepository history, Pool pool, Clock clock) {
        this.hasher = hasher;
        this.guard = guard;
        this.sessions = sessions;
        this.mfa = mfa;
        this.tenants = tenants;
        this.users = users;
        this.history = history;
        this.pool = pool;
        this.clock = clock;
    }

    public Uni<SessionService.Tokens> login(String tenantSlug, String email, String password, String deviceName,
                                            ClientInfo client) {
        String slug = tenantSlug == null || tenantSlug.isBlank() ? "default" : tenantSlug;
        String account = slug + ":" + User.normalize(email);
        return guard.check(account, client.ip())
                .chain(() -> tenants.bySlug(pool, slug)
                        .chain(tenant -> tenant == null ? Uni.createFrom().<User>nullItem() : users.byEmail(pool, tenant.id(), email)))
                .chain(user -> hasher.verifyAsync(password, user == null ? null : user.passwordHash()).chain(ok -> {
                    if (!ok) {
                        return guard.failed(account, client.ip())
                                .chain(() -> record(user, email, "INVALID_CREDENTIALS", client))
                                .chain(() -> Uni.createFrom().failure(ProblemException.unauthorized("INVALID_CREDENTIALS",
                                        "The e-mail or password is wrong.")));
                    }
                    if (user.banned(clock.instant())) {
                        return record(user, email, "USER_BANNED", client)
                                .chain(() -> Uni.createFrom().failure(banned(user)));
                    }
                    if (user.mfaEnabled()) {
                        return guard.succeeded(account)
                                .chain(() -> record(user, email, "MFA_REQUIRED", client))
                                .chain(() -> mfa.challenge(user, deviceName, client))
                                .chain(token -> Uni.createFrom().failure(ProblemException.forbidden("MFA_REQUIRED",
                                        "Enter a code from your authenticator app.").with("mfa_token", token)));
                    }
                    return guard.succeeded(account).chain(() -> sessions.openAfterLogin(user, client, deviceName, email));
                }));
    }

    /** The owner's sign-in attempts, newest first; {@code success} null for all of them. */
    public Uni<Page<LoginRecord>> history(Owner owner, Boolean success, PageRequest page) {
        return history.page(owner, success, page).map(slice -> Page.of(slice.rows(), page, slice.total()));
    }

    // A refused attempt; successful ones are recorded with their session.
    private Uni<Void> record(User user, String email, String code, ClientInfo client) {
        UUID tenant = user == null ? null : user.tenantId();
        UUID id = user == null ? null : user.id();
        return history.insert(tenant, id, email.length() > 254 ? email.substring(0, 254) : email, false, code, client,
                clock.instant());
    }

    private static ProblemException banned(User user) {
        ProblemException problem = ProblemException.forbidden("USER_BANNED", "This account is banned"
                + (user.banReason() == null ? "." : ": " + user.banReason()));
        if (user.unblockAt() != null) {
            problem.with("unblock_date", user.unblockAt().toString());
        }
        return problem;
    }
}
