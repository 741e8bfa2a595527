package io.tollgate.gateway.pipeline;

import io.tollgate.gateway.auth.ApiKeys;
import io.tollgate.gateway.auth.AuthFailure;
import io.tollgate.gateway.auth.Caller;
import io.tollgate.gateway.auth.JwtVerifier;
import io.tollgate.gateway.auth.Withdrawn;
import io.tollgate.gateway.policy.RoutePolicy;
import io.vertx.core.Future;
import jakarta.inject.Singleton;

/**
 * Step 4 and 5: who is calling (a JWT verified here, or an API key exchanged at identity and
 * cached), refused when identity has taken it back, then held to the route's rule: public, user
 * (with the key's scope), JWT-only or admin. A public route needs no caller (null).
 */
@Singleton
public class Authenticator {

    private final JwtVerifier jwt;
    private final ApiKeys apiKeys;
    private final Withdrawn withdrawn;

    public Authenticator(JwtVerifier jwt, ApiKeys apiKeys, Withdrawn withdrawn) {
        this.jwt = jwt;
        this.apiKeys = apiKeys;
        this.withdrawn = withdrawn;
    }

    public Future<Caller> authenticate(RoutePolicy policy, String authorization, String headerKey, String ip) {
        if (policy.isPublic()) {
            return Future.succeededFuture(null);
        }
        String credential;
        if (authorization != null) {
            credential = bearer(authorization);
            if (credential == null) {
                return Future.failedFuture(new AuthFailure(401, "INVALID_TOKEN", "Use Authorization: Bearer <token or API key>."));
            }
        } else if (headerKey != null) {
            credential = headerKey.trim();
            if (!ApiKeys.looksLikeKey(credential)) {
                return Future.failedFuture(new AuthFailure(401, "INVALID_API_KEY", "X-API-Key does not hold a Tollgate API key."));
            }
        } else {
            return Future.failedFuture(new AuthFailure(401, "AUTHENTICATION_REQUIRED",
                    "Send Authorization: Bearer <access token> or an API key."));
        }
        Future<Caller> caller;
        if (ApiKeys.looksLikeKey(credential)) {
            caller = apiKeys.resolve(credential, ip).map(c -> {
                withdrawn.checkExchanged(c);
                return c;
            });
        } else {
            caller = jwt.verify(credential).map(c -> {
                if (c.source() == Caller.Source.SERVICE) {
                    throw AuthFailure.invalid("Service tokens are not accepted on the public API.");
                }
                withdrawn.check(c);
                return c;
            });
        }
        return caller.map(c -> authorize(policy, c));
    }

    /** The route's rule for a known caller. */
    static Caller authorize(RoutePolicy policy, Caller caller) {
        switch (policy.access()) {
            case JWT_ONLY -> {
                if (caller.isApiKey()) {
                    throw jwtOnly();
                }
            }
            case ADMIN -> {
                if (caller.isApiKey()) {
                    throw jwtOnly();
                }
                if (!caller.isAdmin()) {
                    throw new AuthFailure(403, "ADMIN_ONLY", "This route is for platform administrators.");
                }
            }
            case USER -> {
                if (policy.scope() != null && !caller.hasScope(policy.scope())) {
                    throw new AuthFailure(403, "INSUFFICIENT_SCOPE", "This API key lacks the scope " + policy.scope() + ".");
                }
            }
            default -> {
            }
        }
        return caller;
    }

    /** The token of an {@code Authorization: Bearer} header, or null when the header is not one. */
    public static String bearer(String authorization) {
        String value = authorization.trim();
        if (value.length() < 8 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = value.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private static AuthFailure jwtOnly() {
        return new AuthFailure(403, "JWT_ONLY", "This action needs a user session; API keys cannot do it.");
    }
}
