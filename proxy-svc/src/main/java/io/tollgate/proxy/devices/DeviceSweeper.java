package io.tollgate.proxy.devices;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;

/** Devices whose agent went silent are taken out of placement (every instance may run it; the update is idempotent). */
@ApplicationScoped
public class DeviceSweeper {

    private static final Logger LOG = Logger.getLogger(DeviceSweeper.class);

    private final DeviceRepository repository;
    private final Duration staleAfter;

    public DeviceSweeper(DeviceRepository repository,
                         @ConfigProperty(name = "tollgate.proxy.devices.stale-after", defaultValue = "PT30S") Duration staleAfter) {
        this.repository = repository;
        this.staleAfter = staleAfter;
    }

    @Scheduled(every = "${tollgate.proxy.devices.sweep:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return repository.markSilentOffline(staleAfter).invoke(n -> {
            if (n > 0) {
                LOG.infof("%d device(s) silent for %s marked offline", n, staleAfter);
            }
        }).replaceWithVoid();
    }
}
