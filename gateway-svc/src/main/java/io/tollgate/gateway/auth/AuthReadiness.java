package io.tollgate.gateway.auth;

import io.tollgate.kit.security.Revocations;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready until the gateway holds identity's signing keys and has read every recent revocation:
 * before that it would refuse good tokens or admit taken-back ones.
 */
@Readiness
@ApplicationScoped
public class AuthReadiness implements HealthCheck {

    private final Jwks jwks;
    private final Revocations revocations;

    public AuthReadiness(Jwks jwks, Revocations revocations) {
        this.jwks = jwks;
        this.revocations = revocations;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("Identity keys and revocations")
                .status(jwks.loaded() && revocations.caughtUp())
                .withData("signing_keys", jwks.loaded())
                .withData("revocations_caught_up", revocations.caughtUp())
                .build();
    }
}
