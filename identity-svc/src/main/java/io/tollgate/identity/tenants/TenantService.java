package io.tollgate.identity.tenants;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.TenantCreated;
import io.tollgate.contracts.identity.TenantUpdated;
import io.tollgate.identity.crypto.Secrets;
import io.tollgate.identity.users.Conflicts;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Principal;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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

    private final Outbox outbox;
    private final DnsTxtLookup dns;
    private final Clock clock;

    public TenantService(Outbox outbox, DnsTxtLookup dns, Clock clock) {
        this.outbox = outbox;
        this.dns = dns;
        this.clock = clock;
    }

    public Uni<Tenant> create(Principal caller, NewTenant request) {
        requirePlatformAdmin(caller);
        Instant now = clock.instant();
        Tenant tenant = new Tenant();
        tenant.id = UUID.randomUUID();
        tenant.slug = request.slug();
        tenant.name = request.name().trim();
        tenant.kind = request.kind() == null ? "Enterprise" : request.kind();
        tenant.status = "Active";
        tenant.contactEmail = request.contactEmail();
        tenant.contactName = request.contactName();
        tenant.contactPhone = request.contactPhone();
        tenant.currency = request.currency() == null ? "USD" : request.currency();
        tenant.allowedOrigins = List.of();
        tenant.branding = Map.of();
        tenant.createdAt = now;
        tenant.updatedAt = now;
        return Panache.withTransaction(() -> tenant.persist().call(Panache::flush)
                        .chain(() -> outbox.append(tenant.id.toString(), "tenants/" + tenant.id, new TenantCreated(tenant.id,
                                tenant.slug, tenant.name, tenant.status, tenant.currency, tenant.allowedOrigins, null, tenant.branding, now)))
                        .replaceWith(tenant))
                .onFailure(Conflicts::isUniqueViolation).transform(e -> ProblemException.conflict("SLUG_TAKEN",
                        "A tenant with this slug already exists."));
    }

    public Uni<Tenant> get(Principal caller, UUID id) {
        return Panache.withSession(() -> manageable(caller, id));
    }

    public Uni<Tenant> bySlug(String slug) {
        return Panache.withSession(() -> Tenant.bySlug(slug))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Tenant " + slug));
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
        return Panache.withTransaction(() -> manageable(caller, id).invoke(t -> {
            if (changes.name() != null) {
                t.name = changes.name().trim();
            }
            if (changes.contactEmail() != null) {
                t.contactEmail = changes.contactEmail();
            }
            if (changes.contactName() != null) {
                t.contactName = changes.contactName();
            }
            if (changes.contactPhone() != null) {
                t.contactPhone = changes.contactPhone();
            }
            if (changes.billingEmail() != null) {
                t.billingEmail = changes.billingEmail();
            }
            if (changes.allowedOrigins() != null) {
                t.allowedOrigins = List.copyOf(changes.allowedOrigins());
            }
            if (changes.status() != null) {
                t.status = changes.status();
            }
            if (changes.maxUsers() != null) {
                t.maxUsers = changes.maxUsers();
            }
            if (changes.maxStorageGb() != null) {
                t.maxStorageGb = changes.maxStorageGb();
            }
            if (changes.monthlyRenderQty() != null) {
                t.monthlyRenderQty = changes.monthlyRenderQty();
            }
            if (changes.trialEndsAt() != null) {
                t.trialEndsAt = changes.trialEndsAt();
            }
            t.updatedAt = clock.instant();
        }).call(this::announce));
    }

    public Uni<Tenant> putBranding(Principal caller, UUID id, Branding branding) {
        return Panache.withTransaction(() -> manageable(caller, id).invoke(t -> {
            t.branding = branding.toMap();
            t.updatedAt = clock.instant();
        }).call(this::announce));
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
        return Panache.withTransaction(() -> manageable(caller, id).chain(t -> Panache.getSession().chain(db -> db.createNativeQuery(
                        "insert into domain_verifications (id, tenant_id, domain, method, token, challenge_record, expires_at) "
                                + "values (?1, ?2, ?3, 'DNS_TXT', ?4, ?5, ?6)")
                .setParameter(1, verificationId).setParameter(2, t.id).setParameter(3, normalized).setParameter(4, token)
                .setParameter(5, record).setParameter(6, expires.atOffset(ZoneOffset.UTC)).executeUpdate())))
                .replaceWith(new Challenge(verificationId, normalized, "DNS_TXT", record + " TXT \"tollgate-verify=" + token + "\"", expires));
    }

    /** Looks the TXT record up; on a match the domain becomes the tenant's verified custom domain. */
    public Uni<Tenant> checkDomainVerification(Principal caller, UUID id, UUID verificationId) {
        return Panache.withSession(() -> manageable(caller, id).chain(t -> Panache.getSession().chain(db -> db.createNativeQuery(
                        "select domain, token, challenge_record, expires_at, verified_at from domain_verifications where id = ?1 and tenant_id = ?2",
                        Object[].class).setParameter(1, verificationId).setParameter(2, t.id).getResultList())))
                .chain(rows -> {
                    if (rows.isEmpty()) {
                        return Uni.createFrom().failure(ProblemException.notFound("Domain verification " + verificationId));
                    }
                    Object[] row = rows.getFirst();
                    String domain = (String) row[0];
                    String expected = "tollgate-verify=" + row[1];
                    if (((OffsetDateTime) row[3]).toInstant().isBefore(clock.instant())) {
                        return Uni.createFrom().failure(ProblemException.conflict("CHALLENGE_EXPIRED", "Start a new verification."));
                    }
                    return dns.txt((String) row[2]).chain(values -> {
                        if (!values.contains(expected)) {
                            return Uni.createFrom().failure(ProblemException.conflict("DOMAIN_NOT_VERIFIED",
                                    "The TXT record " + row[2] + " does not hold the expected value yet.")
                                    .with("challenge_record", row[2] + " TXT \"" + expected + "\""));
                        }
                        return Panache.withTransaction(() -> Tenant.<Tenant>findById(id).invoke(t -> {
                                    t.customDomain = domain;
                                    t.domainVerified = true;
                                    t.updatedAt = clock.instant();
                                }).call(t -> Panache.getSession().chain(db -> db.createNativeQuery(
                                        "update domain_verifications set verified_at = ?2 where id = ?1").setParameter(1, verificationId)
                                        .setParameter(2, clock.instant().atOffset(ZoneOffset.UTC)).executeUpdate()))
                                .call(this::announce));
                    });
                });
    }

    private Uni<?> announce(Tenant t) {
        return outbox.append(t.id.toString(), "tenants/" + t.id, new TenantUpdated(t.id, t.slug, t.name, t.status, t.currency,
                t.allowedOrigins, t.domainVerified ? t.customDomain : null, t.branding, clock.instant()));
    }

    private static Uni<Tenant> manageable(Principal caller, UUID id) {
        caller.requireJwt();
        return Tenant.<Tenant>findById(id).map(t -> {
            boolean allowed = caller.hasRole("admin") || (caller.hasRole("tenant_admin") && id.equals(caller.tenantId()));
            if (t == null || !allowed) {
                throw ProblemException.notFound("Tenant " + id);
            }
            return t;
        });
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
