package io.tollgate.proxy.ports;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Ends ports whose time is up: each becomes {@code expired} and gives its slot and its place on the
 * device back, in batches claimed with {@code SKIP LOCKED} so that replicas share the work.
 */
@ApplicationScoped
public class PortExpiry {

    private static final int BATCH = 100;

    private final PortRepository ports;

    public PortExpiry(PortRepository ports) {
        this.ports = ports;
    }

    @Scheduled(every = "${tollgate.proxy.ports.expiry-scan:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return ports.pool().withTransaction(tx -> ports.lockExpired(tx, BATCH).chain(expired -> Multi.createFrom().iterable(expired)
                .onItem().transformToUniAndConcatenate(p -> ports.releaseDevice(tx, p.deviceId(), p.exclusive())
                        .chain(() -> ports.end(tx, p.id(), Port.EXPIRED)))
                .collect().asList())).replaceWithVoid();
    }
}
