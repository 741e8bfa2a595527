package io.tollgate.kit.security;

import io.tollgate.kit.problem.ProblemException;
import jakarta.enterprise.context.RequestScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Arrays;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The {@link Principal} of the current request, read from the verified JWT on first use. What
 * identity has taken back is refused here as at the gateway: a banned account (403
 * {@code USER_BANNED}), a revoked session (401 {@code SESSION_REVOKED}) and a revoked or changed API
 * key (401 {@code API_KEY_REVOKED}).
 */
@RequestScoped
public class CurrentPrincipal {

    private final JsonWebToken token;
    private final Revocations revocations;
    private Principal principal;

    public CurrentPrincipal(JsonWebToken token, Revocations revocations) {
        this.token = token;
        this.revocations = revocations;
    }

    /** The caller; 401 when the request carries no verified token. */
    public Principal get() {
        if (principal == null) {
            if (token == null || token.getRawToken() == null || token.getSubject() == null) {
                throw ProblemException.unauthorized("UNAUTHORIZED", "A valid access token is required.");
            }
            Principal caller = fromToken(token);
            refuseWithdrawn(caller, token.getIssuedAtTime());
            principal = caller;
        }
        return principal;
    }

    private void refuseWithdrawn(Principal caller, long issuedAt) {
        if (caller.source() == AuthSource.SERVICE) {
            return;
        }
        if (revocations.banned(caller.userId())) {
            throw ProblemException.forbidden("USER_BANNED", "This account is banned.");
        }
        if (caller.source() == AuthSource.JWT && caller.sessionId() != null
                && revocations.sessionRevoked(caller.sessionId().toString())) {
            throw ProblemException.unauthorized("SESSION_REVOKED", "This session has ended; sign in again.");
        }
        if (caller.apiKeyId() != null && revocations.keyWithdrawn(caller.apiKeyId().toString(), issuedAt)) {
            throw ProblemException.unauthorized("API_KEY_REVOKED", "This API key was revoked or changed.");
        }
    }

    /** The caller, who must hold a user session: API keys get 403 JWT_ONLY. */
    public Principal jwt() {
        Principal caller = get();
        caller.requireJwt();
        return caller;
    }

    public boolean authenticated() {
        return token != null && token.getRawToken() != null;
    }

    public static Principal fromToken(JsonWebToken token) {
        String scope = token.getClaim(Principal.CLAIM_SCOPE);
        Set<String> scopes = scope == null || scope.isBlank() ? Set.of()
                : Arrays.stream(scope.trim().split("\\s+")).collect(Collectors.toUnmodifiableSet());
        Object verified = token.getClaim(Principal.CLAIM_EMAIL_VERIFIED);
        return new Principal(token.getSubject(), uuid(token.getClaim(Principal.CLAIM_TENANT)),
                Set.copyOf(token.getGroups() == null ? Set.of() : token.getGroups()), scopes,
                uuid(token.getClaim(Principal.CLAIM_API_KEY)), uuid(token.getClaim(Principal.CLAIM_SESSION)),
                AuthSource.fromWire(token.getClaim(Principal.CLAIM_SOURCE)),
                verified instanceof Boolean b ? b : Boolean.parseBoolean(String.valueOf(verified)));
    }

    private static UUID uuid(Object claim) {
        if (claim == null) {
            return null;
        }
        try {
            return UUID.fromString(claim.toString().replace("\"", ""));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
