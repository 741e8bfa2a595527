package io.tollgate.gateway.auth;

import java.util.Set;

/**
 * A verified caller, read from a token identity signed.
 *
 * @param token     the JWT to forward upstream (the caller's own, or the one its API key was exchanged for)
 * @param issuedAt  the token's {@code iat}, in epoch seconds
 * @param expiresAt the token's {@code exp}, in epoch seconds
 */
public record Caller(String token, String userId, String tenantId, String sessionId, String apiKeyId, Source source,
                     Set<String> scopes, Set<String> groups, long issuedAt, long expiresAt, int rateLimitRpm) {

    public enum Source { JWT, API_KEY, SERVICE }

    public boolean isApiKey() {
        return source == Source.API_KEY;
    }

    public boolean hasScope(String scope) {
        return source != Source.API_KEY || scopes.contains(scope);
    }

    public boolean isAdmin() {
        return groups.contains("admin");
    }
}
