package io.tollgate.kit.testing;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Access tokens signed with the test key pair under {@code tokens/} (test resources only), for
 * service tests that run without identity-svc. Claims follow identity's real tokens.
 */
public final class TestTokens {

    public static final String ISSUER = "https://tollgate.local";
    public static final String AUDIENCE = "tollgate";
    public static final String PRIVATE_KEY = "tokens/test-private.pem";

    private TestTokens() {
    }

    public static Builder user(UUID userId, UUID tenantId) {
        return new Builder(userId.toString(), tenantId);
    }

    /** A service token of our own service {@code clientId} (client credentials at identity's /internal/tokens). */
    public static Builder service(String clientId) {
        return new Builder(clientId, new UUID(0, 0)).service();
    }

    public static final class Builder {
        private final String subject;
        private final UUID tenantId;
        private Set<String> roles = Set.of("customer");
        private String scope = "";
        private UUID apiKeyId;
        private String source = "jwt";
        private boolean emailVerified = true;
        private Instant expiresAt = Instant.now().plusSeconds(900);
        private String issuer = ISSUER;
        private String audience = AUDIENCE;
        private Integer rateLimitRpm;
        private String keyId = "test-key";
        private UUID sessionId = UUID.randomUUID();

        private Builder(String subject, UUID tenantId) {
            this.subject = subject;
            this.tenantId = tenantId;
        }

        public Builder roles(String... roles) {
            this.roles = Set.of(roles);
            return this;
        }

        public Builder apiKey(UUID keyId, String... scopes) {
            this.apiKeyId = keyId;
            this.source = "api_key";
            this.scope = String.join(" ", scopes);
            return this;
        }

        public Builder service() {
            this.source = "service";
            this.roles = Set.of("service");
            return this;
        }

        public Builder emailVerified(boolean verified) {
            this.emailVerified = verified;
            return this;
        }

        public Builder expiresAt(Instant at) {
            this.expiresAt = at;
            return this;
        }

        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        public Builder audience(String audience) {
            this.audience = audience;
            return this;
        }

        /** The per-key limit an exchanged API-key token carries ({@code rpm}). */
        public Builder rateLimitRpm(int rpm) {
            this.rateLimitRpm = rpm;
            return this;
        }

        /** The {@code sid} claim: the session the token belongs to (a random one by default). */
        public Builder session(UUID sessionId) {
            this.sessionId = sessionId;
            return this;
        }

        /** The {@code kid} header; the test key pair is published as {@code test-key}. */
        public Builder keyId(String keyId) {
            this.keyId = keyId;
            return this;
        }

        public String sign() {
            JwtClaimsBuilder claims = Jwt.issuer(issuer)
                    .subject(subject)
                    .audience(audience)
                    .groups(roles)
                    .issuedAt(expiresAt.minusSeconds(900))
                    .expiresAt(expiresAt)
                    .claim("tid", tenantId.toString())
                    .claim("sid", sessionId.toString())
                    .claim("auth_src", source)
                    .claim("email_verified", emailVerified);
            if (!scope.isEmpty()) {
                claims.claim("scope", scope);
            }
            if (apiKeyId != null) {
                claims.claim("akid", apiKeyId.toString());
            }
            if (rateLimitRpm != null) {
                claims.claim("rpm", rateLimitRpm);
            }
            return claims.jws().keyId(keyId).sign(PRIVATE_KEY);
        }
    }
}
