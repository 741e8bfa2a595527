package io.tollgate.kit.security;

import io.tollgate.kit.problem.ProblemException;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Who is calling, read from a verified token only (never from a bare header).
 *
 * @param userId     the {@code sub} claim; for a service token the service's client id
 * @param tenantId   the {@code tid} claim
 * @param roles      the {@code groups} claim (customer, tenant_admin, admin, service)
 * @param scopes     the space-separated {@code scope} claim
 * @param apiKeyId   the {@code akid} claim when the call came with an API key
 * @param sessionId  the {@code sid} claim of a user session
 * @param source     the {@code auth_src} claim
 */
public record Principal(String userId, UUID tenantId, Set<String> roles, Set<String> scopes, UUID apiKeyId,
                        UUID sessionId, AuthSource source, boolean emailVerified) {

    public static final String CLAIM_TENANT = "tid";
    public static final String CLAIM_SCOPE = "scope";
    public static final String CLAIM_API_KEY = "akid";
    public static final String CLAIM_SESSION = "sid";
    public static final String CLAIM_SOURCE = "auth_src";
    public static final String CLAIM_EMAIL_VERIFIED = "email_verified";

    public UUID userUuid() {
        try {
            return UUID.fromString(userId);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw ProblemException.forbidden("FORBIDDEN", "This call needs a user identity.");
        }
    }

    /** The caller as the owner of rows: its user and tenant (403 for a service token, which owns none). */
    public Owner owner() {
        if (tenantId == null) {
            throw ProblemException.forbidden("FORBIDDEN", "This call needs a user identity.");
        }
        return new Owner(userUuid(), tenantId);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /** A user token (JWT source) has every scope; an API key only those it was granted. */
    public boolean hasScope(String scope) {
        return source != AuthSource.API_KEY || scopes.contains(scope);
    }

    public void requireScope(String scope) {
        if (!hasScope(scope)) {
            throw ProblemException.forbidden("INSUFFICIENT_SCOPE", "This API key lacks the scope " + scope + ".")
                    .with("required_scope", scope);
        }
    }

    public void requireJwt() {
        if (source == AuthSource.API_KEY) {
            throw ProblemException.forbidden("JWT_ONLY", "This action needs a user session; API keys cannot do it.");
        }
    }

    /** A platform administrator's own session; 403 {@code JWT_ONLY} for keys, {@code ADMIN_ONLY} for anyone else. */
    public void requirePlatformAdmin() {
        requireJwt();
        if (!hasRole("admin")) {
            throw ProblemException.forbidden("ADMIN_ONLY", "This needs a platform administrator.");
        }
    }

    /**
     * One of our own services, and one of those named: each internal route says which callers it
     * serves (holds: render and proxy; the key exchange: the gateway). Anyone else is 403.
     */
    public void requireService(String... clients) {
        if (source != AuthSource.SERVICE || !roles.contains("service") || !List.of(clients).contains(userId)) {
            throw ProblemException.forbidden("SERVICE_ONLY", "Only " + String.join(" or ", clients)
                    + " may call this.");
        }
    }

    public void requireVerifiedEmail() {
        if (source != AuthSource.SERVICE && !emailVerified) {
            throw ProblemException.forbidden("EMAIL_UNVERIFIED", "Verify your e-mail address before spending money.");
        }
    }

    public Optional<UUID> apiKey() {
        return Optional.ofNullable(apiKeyId);
    }
}
