package io.tollgate.proxy.ports;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.proxy.PortExpired;
import io.tollgate.contracts.proxy.PortExpiring;
import io.tollgate.kit.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Ports near or at their end: a day ahead each is announced once ({@code port.expiring}); at its
 * end it becomes {@code expired} and gives its slot and its place on the device back
 * ({@code port.expired}). Batches are claimed with {@code SKIP LOCKED}, so replicas share the work.
 */
@ApplicationScoped
public class PortExpiry {

    static final Duration AHEAD = Duration.ofHours(24);
    private static final int BATCH = 100;

    private final PortRepository ports;
    private final Outbox outbox;
    private final Clock clock;

    public PortExpiry(PortRepository ports, Outbox outbox, Clock clock) {
        this.ports = ports;
        this.outbox = outbox;
        this.clock = clock;
    }

    @Scheduled(every = "${tollgate.proxy.ports.expiry-scan:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return expire().chain(this::announce);
    }

    Uni<Void> expire() {
        Instant now = clock.instant();
        return ports.pool().withTransaction(tx -> ports.lockExpired(tx, BATCH).chain(expired -> Multi.createFrom().iterable(expired)
                .onItem().transformToUniAndConcatenate(p -> ports.releaseDevice(tx, p.deviceId(), p.exclusive())
                        .chain(() -> ports.end(tx, p.id(), Port.EXPIRED))
                        .chain(() -> outbox.append(tx, p.id().toString(), "ports/" + p.id(), new PortExpired(p.userId(), p.tenantId(),
                                p.id(), p.name(), p.countryCode(), p.isPrivate(), p.expiresAt(), now))))
                .collect().asList())).replaceWithVoid();
    }

    Uni<Void> announce() {
        Instant now = clock.instant();
        return ports.pool().withTransaction(tx -> ports.lockExpiring(tx, AHEAD, BATCH).chain(soon -> Multi.createFrom().iterable(soon)
                .onItem().transformToUniAndConcatenate(p -> ports.announcedExpiring(tx, p.id())
                        .chain(() -> outbox.append(tx, p.id().toString(), "ports/" + p.id(), new PortExpiring(p.userId(), p.tenantId(),
                                p.id(), p.name(), p.displayName(), p.countryCode(), p.isPrivate(), p.expiresAt(), now))))
                .collect().asList())).replaceWithVoid();
    }
}
