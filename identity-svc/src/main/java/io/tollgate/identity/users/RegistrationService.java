package io.tollgate.identity.users;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.UserRegistered;
import io.tollgate.identity.crypto.PasswordHasher;
import io.tollgate.identity.tenants.Tenant;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

@ApplicationScoped
public class RegistrationService {

    public record Registered(UUID userId, boolean verificationRequired) {
    }

    private final PasswordHasher hasher;
    private final Outbox outbox;
    private final AccountRecoveryService recovery;
    private final Clock clock;
    private final java.util.Set<String> adminEmails;

    public RegistrationService(PasswordHasher hasher, Outbox outbox, AccountRecoveryService recovery, Clock clock,
                               // The platform's first administrators: these addresses get the admin role when they register.
                               @org.eclipse.microprofile.config.inject.ConfigProperty(name = "tollgate.identity.admin-emails")
                               java.util.Optional<java.util.List<String>> adminEmails) {
        this.hasher = hasher;
        this.outbox = outbox;
        this.recovery = recovery;
        this.clock = clock;
        this.adminEmails = adminEmails.orElse(java.util.List.of()).stream().map(User::normalize)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    public Uni<Registered> register(String tenantSlug, String email, String password, String fullName, String locale) {
        PasswordPolicy.check("password", password);
        return hasher.hashAsync(password)
                .chain(hash -> Panache.withTransaction(() -> Tenant.bySlug(tenantSlug == null ? "default" : tenantSlug)
                        .onItem().ifNull().failWith(() -> ProblemException.validation("tenant_slug", "no such tenant"))
                        .chain(tenant -> {
                            if (!"Active".equals(tenant.status) && !"Trial".equals(tenant.status)) {
                                return Uni.createFrom().failure(ProblemException.forbidden("TENANT_INACTIVE",
                                        "This tenant does not accept registrations."));
                            }
                            return User.byEmail(tenant.id, email).chain(existing -> {
                                if (existing != null) {
                                    return Uni.createFrom().failure(emailTaken());
                                }
                                Instant now = clock.instant();
                                User user = new User();
                                user.id = UUID.randomUUID();
                                user.tenantId = tenant.id;
                                user.email = email.trim();
                                user.emailNormalized = User.normalize(email);
                                user.passwordHash = hash;
                                user.fullName = fullName.trim();
                                user.role = adminEmails.contains(user.emailNormalized) ? "admin" : "customer";
                                user.locale = locale;
                                user.createdAt = now;
                                user.updatedAt = now;
                                return user.persist().call(Panache::flush)
                                        .chain(() -> outbox.append(user.id.toString(), "users/" + user.id,
                                                new UserRegistered(user.id, tenant.id, user.email, user.fullName,
                                                        tenant.currency, locale, now)))
                                        .chain(() -> recovery.requestVerification(user))
                                        .replaceWith(user);
                            });
                        })))
                .onFailure(Conflicts::isUniqueViolation).transform(e -> emailTaken())
                .map(user -> new Registered(user.id, true));
    }

    private static ProblemException emailTaken() {
        return ProblemException.conflict("EMAIL_TAKEN", "An account with this e-mail already exists.");
    }
}
