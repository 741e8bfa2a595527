package io.tollgate.identity.tenants;

import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.TenantCreated;
import io.tollgate.contracts.identity.TenantUpdated;
import io.tollgate.identity.crypto.Secrets;
import io.tollgate.identity.users.Conflicts;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Principal;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Tenants (white-label operators). Platform admins create tenants and set status and limits; a
 * tenant's own admins change its contacts, origins, branding and custom domain. Anyone else, and
 * any other tenant's admin, gets 404.
 */
@ApplicationScoped
public class TenantService {

    public record NewTenant(String slug, String name, String contactEmail, String kind, String contactName,
                            String contactPhone, String currency) {
    }

    public record Changes(String name, String contactEmail, String contactName, String contactPhone, String billingEmail,
                          List<String> allowedOrigins, String status, Integer maxUsers, Integer maxStorageGb,
                          Integer monthlyRenderQty, Instant trialEndsAt) {
    }

    public record Challenge(UUID verificationId, String domain, String method, String challengeRecord, Instant expiresAt) {
    }

    private static final Duration CHALLENGE_TTL = Duration.ofDays(7);

    private final TenantRepository tenants;
    private final Pool pool;
    private final Outbox outbox;
    private final DnsTxtLookup dns;
    private final Clock clock;

    public TenantService(TenantRepository tenants, Pool pool, Outbox outbox, DnsTxtLookup dns, Clock clock) {
        this.tenants = tenants;
        this.pool = pool;
        this.outbox = outbox;
        this.dns = dns;
        this.clock = clock;
    }

    /** Creates a tenant in {@code tx} (the caller's transaction, where an Idempotency-Key's answer commits too). */
    public Uni<Tenant> create(io.vertx.mutiny.sqlclient.SqlClient tx, Principal caller, NewTenant request) {
        requirePlatformAdmin(caller);
        Instant now = clock.instant();
        Tenant tenant = new Tenant(UUID.randomUUID(), request.slug(), request.name().trim(),
                request.kind() == null ? "Enterprise" : request.kind(), "Active", request.contactEmail(), request.contactName(),
                request.contactPhone(), null, request.currency() == null ? "USD" : request.currency(), List.of(), null, false,
                null, null, null, null, Map.of(), now, now);
        return tenants.insert(tx, tenant)
                        .chain(() -> outbox.append(tx, tenant.id().toString(), "tenants/" + tenant.id(), new TenantCreated(tenant.id(),
                                tenant.slug(), tenant.name(), tenant.status(), tenant.currency(), tenant.allowedOrigins(), null,
                                tenant.branding(), now)))
                        .replaceWith(tenant)
                .onFailure(Conflicts::isUniqueViolation).transform(e -> ProblemException.conflict("SLUG_TAKEN",
                        "A tenant with this slug already exists."));
    }

    public Uni<Tenant> get(Principal caller, UUID id) {
        requireManageable(caller, id);
        return tenants.byId(id).map(t -> found(t, id));
    }

    public Uni<Tenant> bySlug(String slug) {
        return tenants.bySlug(pool, slug).onItem().ifNull().failWith(() -> ProblemException.notFound("Tenant " + slug));
    }

    /** The tenant whose verified custom domain is {@code host}, or null. */
    public Uni<Tenant> byVerifiedDomain(String host) {
        return tenants.byVerifiedDomain(host);
    }

    /** Every tenant's allowed browser origins. */
    public Uni<List<AllowedOrigins>> allowedOrigins() {
        return tenants.allowedOrigins();
    }

    public Uni<Tenant> update(Principal caller, UUID id, Changes changes) {
        boolean platform = caller.hasRole("admin");
        if (!platform && (changes.status() != null || changes.maxUsers() != null || changes.maxStorageGb() != null
                || changes.monthlyRenderQty() != null || changes.trialEndsAt() != null)) {
            throw ProblemException.forbidden("FORBIDDEN", "Only platform admins change a tenant's status and limits.");
        }
        if (changes.allowedOrigins() != null) {
            for (int i = 0; i < changes.allowedOrigins().size(); i++) {
                if (!isOrigin(changes.allowedOrigins().get(i))) {
                    throw ProblemException.validation("allowed_origins[" + i + "]", "must be an origin like https://app.example.com");
                }
            }
        }
        requireManageable(caller, id);
        return pool.withTransaction(tx -> tenants.update(tx, id, changes, clock.instant()).map(t -> found(t, id))
                .call(t -> announce(tx, t)));
    }

    public Uni<Tenant> putBranding(Principal caller, UUID id, Branding branding) {
        requireManageable(caller, id);
        return pool.withTransaction(tx -> tenants.setBranding(tx, id, branding.toMap(), clock.instant()).map(t -> found(t, id))
                .call(t -> announce(tx, t)));
    }

    /** Starts a DNS TXT proof of a custom domain. */
    public Uni<Challenge> startDomainVerification(Principal caller, UUID id, String domain) {
        String normalized = domain.trim().toLowerCase();
        if (!normalized.matches("^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$")) {
            throw ProblemException.validation("domain", "must be a domain name like app.example.com");
        }
        String token = Secrets.token(24);
        String record = "_tollgate-challenge." + normalized;
        Instant expires = clock.instant().plus(CHALLENGE_TTL);
        UUID verificationId = UUID.randomUUID();
        return get(caller, id)
                .chain(t -> tenants.insertDomainVerification(t.id(), verificationId, normalized, token, record, expires))
                .replaceWith(new Challenge(verificationId, normalized, "DNS_TXT", record + " TXT \"tollgate-verify=" + token + "\"", expires));
    }

    /** Looks the TXT record up; on a match the domain becomes the tenant's verified custom domain. */
    public Uni<Tenant> checkDomainVerification(Principal caller, UUID id, UUID verificationId) {
        return get(caller, id).chain(t -> tenants.domainVerification(t.id(), verificationId)).chain(verification -> {
            if (verification == null) {
                return Uni.createFrom().failure(ProblemException.notFound("Domain verification " + verificationId));
            }
            String expected = "tollgate-verify=" + verification.token();
            if (verification.expiresAt().isBefore(clock.instant())) {
                return Uni.createFrom().failure(ProblemException.conflict("CHALLENGE_EXPIRED", "Start a new verification."));
            }
            return dns.txt(verification.challengeRecord()).chain(values -> {
                if (!values.contains(expected)) {
                    return Uni.createFrom().failure(ProblemException.conflict("DOMAIN_NOT_VERIFIED",
                                    "The TXT record " + verification.challengeRecord() + " does not hold the expected value yet.")
                            .with("challenge_record", verification.challengeRecord() + " TXT \"" + expected + "\""));
                }
                return pool.withTransaction(tx -> tenants.verifyDomain(tx, verification, clock.instant()).map(t -> found(t, id))
                        .call(t -> announce(tx, t)));
            });
        });
    }

    private Uni<?> announce(SqlClient tx, Tenant t) {
        return outbox.append(tx, t.id().toString(), "tenants/" + t.id(), new TenantUpdated(t.id(), t.slug(), t.name(), t.status(),
                t.currency(), t.allowedOrigins(), t.domainVerified() ? t.customDomain() : null, t.branding(), clock.instant()));
    }

    // A platform admin manages every tenant, a tenant admin their own; anyone else finds none (404).
    private static void requireManageable(Principal caller, UUID id) {
        caller.requireJwt();
        boolean allowed = caller.hasRole("admin") || (caller.hasRole("tenant_admin") && id.equals(caller.tenantId()));
        if (!allowed) {
            throw ProblemException.notFound("Tenant " + id);
        }
    }

    private static Tenant found(Tenant t, UUID id) {
        if (t == null) {
            throw ProblemException.notFound("Tenant " + id);
        }
        return t;
    }

    private static void requirePlatformAdmin(Principal caller) {
        caller.requireJwt();
        if (!caller.hasRole("admin")) {
            throw ProblemException.forbidden("ADMIN_ONLY", "Only platform admins create tenants.");
        }
    }

    static boolean isOrigin(String value) {
        try {
            URI uri = URI.create(value);
            return (uri.getScheme().equals("https") || uri.getScheme().equals("http")) && uri.getHost() != null
                    && (uri.getPath() == null || uri.getPath().isEmpty()) && uri.getQuery() == null && uri.getFragment() == null
                    && uri.getUserInfo() == null;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
