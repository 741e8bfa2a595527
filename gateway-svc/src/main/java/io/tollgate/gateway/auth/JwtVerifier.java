package io.tollgate.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

/**
 * Verifies identity's access tokens locally: RS256 only, signature against the JWKS key named by
 * {@code kid}, then {@code iss}, {@code aud}, {@code exp} and {@code nbf} (with a small leeway).
 * A token that verified once is remembered until it expires, so a client reusing its token costs
 * one hash lookup; time and revocation are still checked on every use.
 */
@Singleton
public class JwtVerifier {

    private static final Base64.Decoder B64 = Base64.getUrlDecoder();
    private static final ThreadLocal<Signature> RS256 = ThreadLocal.withInitial(() -> {
        try {
            return Signature.getInstance("SHA256withRSA");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    });

    private final Jwks jwks;
    private final ObjectMapper json;
    private final Clock clock;
    private final String issuer;
    private final String audience;
    private final long leewaySeconds;
    private final Cache<String, Caller> verified;

    public JwtVerifier(Jwks jwks, ObjectMapper json, Clock clock,
                       @ConfigProperty(name = "mp.jwt.verify.issuer") String issuer,
                       @ConfigProperty(name = "mp.jwt.verify.audiences") String audience,
                       @ConfigProperty(name = "tollgate.gateway.jwt.leeway", defaultValue = "PT5S") Duration leeway,
                       @ConfigProperty(name = "tollgate.gateway.jwt.cache-size", defaultValue = "100000") long cacheSize) {
        this.jwks = jwks;
        this.json = json;
        this.clock = clock;
        this.issuer = issuer;
        this.audience = audience;
        this.leewaySeconds = leeway.toSeconds();
        this.verified = Caffeine.newBuilder().maximumSize(cacheSize).expireAfterWrite(Duration.ofMinutes(20)).build();
    }

    /** The caller a token proves, or a failed future with an {@link AuthFailure}. */
    public Future<Caller> verify(String token) {
        Caller known = verified.getIfPresent(token);
        if (known != null) {
            return checkTime(known);
        }
        try {
            Parsed parsed = parse(token);
            if (jwks.key(parsed.kid) != null) {
                return Future.succeededFuture(finish(token, parsed));
            }
            return jwks.refreshIfStale().map(v -> finish(token, parsed));
        } catch (AuthFailure failure) {
            return Future.failedFuture(failure);
        }
    }

    private Future<Caller> checkTime(Caller caller) {
        long now = clock.millis() / 1000;
        if (caller.expiresAt() + leewaySeconds <= now) {
            verified.invalidate(caller.token());
            return Future.failedFuture(new AuthFailure(401, "TOKEN_EXPIRED", "The access token has expired."));
        }
        return Future.succeededFuture(caller);
    }

    private record Parsed(String kid, byte[] signingInput, byte[] signature, JsonNode claims) {
    }

    private Parsed parse(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || second == token.length() - 1 || token.indexOf('.', second + 1) >= 0) {
            throw AuthFailure.invalid("The bearer token is not a signed JWT.");
        }
        try {
            JsonNode header = json.readTree(B64.decode(token.substring(0, first)));
            if (!"RS256".equals(header.path("alg").asText())) {
                throw AuthFailure.invalid("Only RS256 tokens are accepted.");
            }
            String kid = header.path("kid").asText("");
            if (kid.isEmpty()) {
                throw AuthFailure.invalid("The token names no signing key.");
            }
            JsonNode claims = json.readTree(B64.decode(token.substring(first + 1, second)));
            return new Parsed(kid, token.substring(0, second).getBytes(StandardCharsets.US_ASCII),
                    B64.decode(token.substring(second + 1)), claims);
        } catch (AuthFailure failure) {
            throw failure;
        } catch (Exception e) {
            throw AuthFailure.invalid("The bearer token is not a signed JWT.");
        }
    }

    private Caller finish(String token, Parsed parsed) {
        PublicKey key = jwks.key(parsed.kid);
        if (key == null) {
            throw AuthFailure.invalid("The token is signed with a key identity does not publish.");
        }
        try {
            Signature verifier = RS256.get();
            verifier.initVerify(key);
            verifier.update(parsed.signingInput);
            if (!verifier.verify(parsed.signature)) {
                throw AuthFailure.invalid("The token signature does not verify.");
            }
        } catch (GeneralSecurityException e) {
            throw AuthFailure.invalid("The token signature does not verify.");
        }
        JsonNode c = parsed.claims;
        if (!issuer.equals(c.path("iss").asText())) {
            throw AuthFailure.invalid("The token comes from another issuer.");
        }
        if (!hasAudience(c.path("aud"))) {
            throw AuthFailure.invalid("The token is meant for another audience.");
        }
        long now = clock.millis() / 1000;
        if (!c.path("exp").canConvertToLong() || c.path("exp").asLong() + leewaySeconds <= now) {
            throw new AuthFailure(401, "TOKEN_EXPIRED", "The access token has expired.");
        }
        if (c.has("nbf") && c.path("nbf").asLong() - leewaySeconds > now) {
            throw AuthFailure.invalid("The token is not valid yet.");
        }
        String subject = c.path("sub").asText("");
        if (subject.isEmpty()) {
            throw AuthFailure.invalid("The token names no subject.");
        }
        Caller.Source source = switch (c.path("auth_src").asText("jwt")) {
            case "api_key" -> Caller.Source.API_KEY;
            case "service" -> Caller.Source.SERVICE;
            default -> Caller.Source.JWT;
        };
        Caller caller = new Caller(token, subject, text(c, "tid"), text(c, "sid"), text(c, "akid"), source,
                words(c.path("scope").asText("")), strings(c.path("groups")), c.path("iat").asLong(0),
                c.path("exp").asLong(), c.path("rpm").asInt(0));
        verified.put(token, caller);
        return caller;
    }

    private boolean hasAudience(JsonNode aud) {
        if (aud.isArray()) {
            for (JsonNode a : aud) {
                if (audience.equals(a.asText())) {
                    return true;
                }
            }
            return false;
        }
        return audience.equals(aud.asText());
    }

    private static String text(JsonNode claims, String name) {
        JsonNode value = claims.get(name);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Set<String> words(String scope) {
        return scope.isBlank() ? Set.of() : Set.copyOf(java.util.Arrays.asList(scope.trim().split("\\s+")));
    }

    private static Set<String> strings(JsonNode node) {
        Set<String> values = new HashSet<>();
        node.forEach(n -> values.add(n.asText()));
        return Set.copyOf(values);
    }
}
