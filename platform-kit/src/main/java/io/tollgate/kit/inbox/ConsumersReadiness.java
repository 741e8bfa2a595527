package io.tollgate.kit.inbox;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The {@code consumers} readiness check: every Kafka consumer of the service by name, each
 * {@code UP} or {@code DOWN} with its state; DOWN as a whole when one is restarting after its loop
 * died or has made no progress for {@code tollgate.consumers.stuck-after}.
 */
@Readiness
@ApplicationScoped
public class ConsumersReadiness implements HealthCheck {

    private final EventConsumers consumers;

    public ConsumersReadiness(EventConsumers consumers) {
        this.consumers = consumers;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("consumers");
        boolean up = true;
        for (EventConsumers.Status status : consumers.statuses()) {
            up &= status.healthy();
            builder.withData(status.consumer(), (status.healthy() ? "UP" : "DOWN") + ": " + status.state()
                    + (status.restarts() > 0 ? ", restarted " + status.restarts() + " time(s)" : "")
                    + ", lag " + status.lag());
        }
        return builder.status(up).build();
    }
}
