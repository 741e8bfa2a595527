package io.tollgate.gateway.auth;

import io.netty.util.AsciiString;

import java.util.Set;

/**
 * A verified caller, read from a token identity signed.
 *
 * @param token     the JWT to forward upstream (the caller's own, or the one its API key was exchanged for)
 * @param issuedAt  the token's {@code iat}, in epoch seconds
 * @param expiresAt the token's {@code exp}, in epoch seconds
 * @param authorization {@code Bearer <token>} as the upstream request's header, made once per verified token
 *                      (an {@link AsciiString} goes onto the wire as one copy, a String character by character)
 */
public record Caller(String token, String userId, String tenantId, String sessionId, String apiKeyId, Source source,
                     Set<String> scopes, Set<String> groups, long issuedAt, long expiresAt, int rateLimitRpm,
                     AsciiString authorization) {

    public Caller(String token, String userId, String tenantId, String sessionId, String apiKeyId, Source source,
                  Set<String> scopes, Set<String> groups, long issuedAt, long expiresAt, int rateLimitRpm) {
        this(token, userId, tenantId, sessionId, apiKeyId, source, scopes, groups, issuedAt, expiresAt, rateLimitRpm,
                new AsciiString("Bearer " + token));
    }

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
