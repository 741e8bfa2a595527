package io.tollgate.kit.security;

import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bearer tokens this service has verified, so a caller that sends the same token again (a
 * service token on every hold, a user's access token on every call of a session) is not checked
 * against its RSA signature and parsed once more: that was a fifth of billing's CPU under load.
 * An entry is the exact token text, so only a byte-identical token hits; it lives until the token
 * expires or {@code tollgate.jwt.verified-cache.ttl} has passed, whichever is first, so a signing
 * key dropped from the identity service's key set stops being honoured within that time (the key
 * set itself is re-read only every few minutes). Failures are never remembered. Revocation of
 * sessions and API keys is checked per request elsewhere (the gateway), not here.
 */
@ApplicationScoped
public class VerifiedTokens {

    /** Verifies and parses a token: the JWT library's own parse. */
    @FunctionalInterface
    public interface Verifier {
        JsonWebToken verify(String token) throws ParseException;
    }

    private record Verified(JsonWebToken token, long until) {
    }

    private final Clock clock;
    private final Duration ttl;
    private final int maxEntries;
    private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

    public VerifiedTokens(Clock clock,
                          @ConfigProperty(name = "tollgate.jwt.verified-cache.ttl", defaultValue = "60s") Duration ttl,
                          @ConfigProperty(name = "tollgate.jwt.verified-cache.max-entries", defaultValue = "10000")
                          int maxEntries) {
        this.clock = clock;
        this.ttl = ttl;
        this.maxEntries = maxEntries;
    }

    /** How many verified tokens are remembered now. */
    public int size() {
        return verified.size();
    }

    /** The token as verified before, or as {@code verifier} verifies it now. */
    public JsonWebToken parse(String token, Verifier verifier) throws ParseException {
        long now = clock.millis();
        Verified known = verified.get(token);
        if (known != null && now < known.until()) {
            return known.token();
        }
        JsonWebToken parsed = verifier.verify(token);
        if (ttl.isPositive() && parsed.getExpirationTime() > 0) {
            long until = Math.min(parsed.getExpirationTime() * 1000, now + ttl.toMillis());
            if (verified.size() >= maxEntries) {
                // bounded: the expired entries go first, and if that is not enough, all of them
                verified.values().removeIf(entry -> entry.until() <= now);
                if (verified.size() >= maxEntries) {
                    verified.clear();
                }
            }
            verified.put(token, new Verified(parsed, until));
        }
        return parsed;
    }
}
