package io.tollgate.identity.users;

import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.UserRegistered;
import io.tollgate.identity.crypto.PasswordHasher;
import io.tollgate.identity.tenants.TenantRepository;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

@ApplicationScoped
public class RegistrationService {

    public record Registered(UUID userId, boolean verificationRequired) {
    }

    private final PasswordHasher hasher;
    private final TenantRepository tenants;
    private final UserRepository users;
    private final Pool pool;
    private final Outbox outbox;
    private final AccountRecoveryService recovery;
    private final Clock clock;
    private final Set<String> adminEmails;

    public RegistrationService(PasswordHasher hasher, TenantRepository tenants, UserRepository users, Pool pool, Outbox outbox,
                               AccountRecoveryService recovery, Clock clock,
                               // The platform's first administrators: these addresses get the admin role when they register.
                               @ConfigProperty(name = "tollgate.identity.admin-emails") Optional<List<String>> adminEmails) {
        this.hasher = hasher;
        this.tenants = tenants;
        this.users = users;
        this.pool = pool;
        this.outbox = outbox;
        this.recovery = recovery;
        this.clock = clock;
        this.adminEmails = adminEmails.orElse(List.of()).stream().map(User::normalize).collect(Collectors.toUnmodifiableSet());
    }

    public Uni<Registered> register(String tenantSlug, String email, String password, String fullName, String locale) {
        PasswordPolicy.check("password", password);
        return hasher.hashAsync(password)
                .chain(hash -> pool.withTransaction(tx -> tenants.bySlug(tx, tenantSlug == null ? "default" : tenantSlug)
                        .onItem().ifNull().failWith(() -> ProblemException.validation("tenant_slug", "no such tenant"))
                        .chain(tenant -> {
                            if (!"Active".equals(tenant.status()) && !"Trial".equals(tenant.status())) {
                                return Uni.createFrom().failure(ProblemException.forbidden("TENANT_INACTIVE",
                                        "This tenant does not accept registrations."));
                            }
                            return users.byEmail(tx, tenant.id(), email).chain(existing -> {
                                if (existing != null) {
                                    return Uni.createFrom().failure(emailTaken());
                                }
                                Instant now = clock.instant();
                                String normalized = User.normalize(email);
                                User user = new User(UUID.randomUUID(), tenant.id(), email.trim(), normalized, hash, fullName.trim(),
                                        adminEmails.contains(normalized) ? "admin" : "customer", locale, null, false, null, null,
                                        null, now, now);
                                return users.insert(tx, user)
                                        .chain(() -> outbox.append(tx, user.id().toString(), "users/" + user.id(),
                                                new UserRegistered(user.id(), tenant.id(), user.email(), user.fullName(),
                                                        tenant.currency(), locale, now)))
                                        .chain(() -> recovery.requestVerification(tx, user))
                                        .replaceWith(user);
                            });
                        })))
                .onFailure(Conflicts::isUniqueViolation).transform(e -> emailTaken())
                .map(user -> new Registered(user.id(), true));
    }

    private static ProblemException emailTaken() {
        return ProblemException.conflict("EMAIL_TAKEN", "An account with this e-mail already exists.");
    }
}
