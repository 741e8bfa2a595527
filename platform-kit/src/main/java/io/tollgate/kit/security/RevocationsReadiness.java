package io.tollgate.kit.security;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready until every recent revocation is known: before that a taken-back token would pass. */
@Readiness
@ApplicationScoped
public class RevocationsReadiness implements HealthCheck {

    private final Revocations revocations;

    public RevocationsReadiness(Revocations revocations) {
        this.revocations = revocations;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("Identity revocations").status(revocations.caughtUp()).build();
    }
}
