package io.tollgate.identity.keys;

import io.tollgate.kit.security.Principal;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** Signs access tokens with the active key: users' (from a session), API keys' and services'. */
@ApplicationScoped
public class TokenIssuer {

    public record Issued(String token, Instant expiresAt, long expiresIn) {
    }

    private final SigningKeys keys;
    private final Clock clock;
    private final String issuer;
    private final String audience;
    private final Duration accessTtl;
    private final Duration apiKeyTtl;
    private final Duration serviceTtl;

    public TokenIssuer(SigningKeys keys, Clock clock,
                       @ConfigProperty(name = "mp.jwt.verify.issuer") String issuer,
                       @ConfigProperty(name = "tollgate.jwt.audience", defaultValue = "tollgate") String audience,
                       @ConfigProperty(name = "tollgate.identity.access-token-ttl", defaultValue = "PT15M") Duration accessTtl,
                       @ConfigProperty(name = "tollgate.identity.api-key-token-ttl", defaultValue = "PT5M") Duration apiKeyTtl,
                       @ConfigProperty(name = "tollgate.identity.service-token-ttl", defaultValue = "PT15M") Duration serviceTtl) {
        this.keys = keys;
        this.clock = clock;
        this.issuer = issuer;
        this.audience = audience;
        this.accessTtl = accessTtl;
        this.apiKeyTtl = apiKeyTtl;
        this.serviceTtl = serviceTtl;
    }

    public String issuer() {
        return issuer;
    }

    public Duration accessTtl() {
        return accessTtl;
    }

    /** A user's access token for a session. */
    public Issued user(UUID userId, UUID tenantId, UUID sessionId, String role, boolean emailVerified, List<String> amr) {
        JwtClaims claims = base(userId.toString(), accessTtl);
        claims.setClaim(Principal.CLAIM_TENANT, tenantId.toString());
        claims.setClaim(Principal.CLAIM_SESSION, sessionId.toString());
        claims.setStringListClaim("groups", roles(role));
        claims.setClaim(Principal.CLAIM_EMAIL_VERIFIED, emailVerified);
        claims.setStringListClaim("amr", amr);
        claims.setClaim(Principal.CLAIM_SOURCE, "jwt");
        return sign(claims, accessTtl);
    }

    /** The short-lived token the gateway gets for an API key. */
    public Issued apiKey(UUID userId, UUID tenantId, UUID keyId, String role, boolean emailVerified,
                         Collection<String> scopes, int rateLimitRpm, Instant keyExpiresAt) {
        Duration ttl = apiKeyTtl;
        if (keyExpiresAt != null) {
            Duration left = Duration.between(clock.instant(), keyExpiresAt);
            ttl = left.compareTo(ttl) < 0 ? left : ttl;
        }
        JwtClaims claims = base(userId.toString(), ttl);
        claims.setClaim(Principal.CLAIM_TENANT, tenantId.toString());
        claims.setClaim(Principal.CLAIM_API_KEY, keyId.toString());
        claims.setStringListClaim("groups", roles(role));
        claims.setClaim(Principal.CLAIM_SCOPE, String.join(" ", scopes));
        claims.setClaim(Principal.CLAIM_EMAIL_VERIFIED, emailVerified);
        claims.setClaim(Principal.CLAIM_SOURCE, "api_key");
        claims.setClaim("rpm", rateLimitRpm);
        return sign(claims, ttl);
    }

    /** A client-credentials token for one of our services. */
    public Issued service(String serviceName, Collection<String> scopes) {
        JwtClaims claims = base(serviceName, serviceTtl);
        claims.setStringListClaim("groups", List.of("service"));
        claims.setClaim(Principal.CLAIM_SCOPE, String.join(" ", scopes));
        claims.setClaim(Principal.CLAIM_SOURCE, "service");
        return sign(claims, serviceTtl);
    }

    private static List<String> roles(String role) {
        return switch (role) {
            case "admin" -> List.of("customer", "admin");
            case "tenant_admin" -> List.of("customer", "tenant_admin");
            default -> List.of("customer");
        };
    }

    private JwtClaims base(String subject, Duration ttl) {
        Instant now = clock.instant();
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setAudience(audience);
        claims.setSubject(subject);
        claims.setJwtId(UUID.randomUUID().toString());
        claims.setIssuedAt(NumericDate.fromSeconds(now.getEpochSecond()));
        claims.setNotBefore(NumericDate.fromSeconds(now.getEpochSecond() - 5));
        claims.setExpirationTime(NumericDate.fromSeconds(now.plus(ttl).getEpochSecond()));
        return claims;
    }

    private Issued sign(JwtClaims claims, Duration ttl) {
        SigningKeys.Key key = keys.active();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.privateKey());
        jws.setKeyIdHeaderValue(key.kid());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            Instant expires = clock.instant().plus(ttl);
            return new Issued(jws.getCompactSerialization(), expires, ttl.toSeconds());
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }
}
