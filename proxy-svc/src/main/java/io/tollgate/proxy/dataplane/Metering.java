package io.tollgate.proxy.dataplane;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.proxy.TrafficMetered;
import io.tollgate.kit.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every byte a port forwards, counted in memory as it passes and written once a window: one
 * transaction adds each port's bytes to its {@code used_traffic}, to its owner's metered total and
 * appends its {@code proxy.traffic.metered} event (so a window counts once, and billing charges it
 * once by its event id). A window that fails to commit is kept and written with the next one; a
 * node killed mid-window loses only the bytes counted since its last commit.
 */
@ApplicationScoped
public class Metering {

    private static final Logger LOG = Logger.getLogger(Metering.class);

    /** One port's bytes since its last written window: in is what came back from destinations, out what was sent to them. */
    static final class Counter {
        final AtomicLong in = new AtomicLong();
        final AtomicLong out = new AtomicLong();
        volatile LivePort port;
        volatile Instant since;

        Counter(LivePort port, Instant since) {
            this.port = port;
            this.since = since;
        }
    }

    private record Window(Counter counter, LivePort port, long in, long out, Instant start) {
    }

    private final DataPlaneRepository repository;
    private final Outbox outbox;
    private final Clock clock;
    private final Map<UUID, Counter> counters = new ConcurrentHashMap<>();
    private final AtomicBoolean flushing = new AtomicBoolean();

    public Metering(DataPlaneRepository repository, Outbox outbox, Clock clock) {
        this.repository = repository;
        this.outbox = outbox;
        this.clock = clock;
    }

    Counter counter(LivePort port) {
        Counter c = counters.computeIfAbsent(port.id(), id -> new Counter(port, clock.instant()));
        c.port = port;
        return c;
    }

    /** A port's owner or kind may change (a reconfigure); its next window says the new ones. */
    void terms(LivePort port) {
        Counter c = counters.get(port.id());
        if (c != null) {
            c.port = port;
        }
    }

    /** Writes every port's bytes since its last window; one flush at a time. */
    Uni<Void> flush() {
        if (!flushing.compareAndSet(false, true)) {
            LOG.debug("metering: the previous window is still being written");
            return Uni.createFrom().voidItem();
        }
        Instant end = clock.instant();
        List<Window> windows = new ArrayList<>();
        for (Counter c : counters.values()) {
            long in = c.in.getAndSet(0);
            long out = c.out.getAndSet(0);
            if (in + out > 0) {
                windows.add(new Window(c, c.port, in, out, c.since));
                c.since = end;
            }
        }
        if (windows.isEmpty()) {
            flushing.set(false);
            return Uni.createFrom().voidItem();
        }
        return repository.pool().withTransaction(tx -> Multi.createFrom().iterable(windows)
                        .onItem().transformToUniAndConcatenate(w -> repository.metered(tx, w.port().id(), w.port().userId(), w.port().tenantId(),
                                        w.port().isPrivate(), w.in(), w.out())
                                .chain(() -> outbox.append(tx, w.port().id().toString(), "ports/" + w.port().id(),
                                        new TrafficMetered(w.port().userId(), w.port().tenantId(), w.port().id().toString(), w.port().isPrivate(),
                                                w.in(), w.out(), w.start(), end))))
                        .collect().last().replaceWithVoid())
                .onFailure().invoke(e -> {
                    LOG.warnf("metering: a window of %d port(s) was not written (%s); it goes with the next one", windows.size(), e.getMessage());
                    for (Window w : windows) {
                        w.counter().in.addAndGet(w.in());
                        w.counter().out.addAndGet(w.out());
                        w.counter().since = w.start();
                    }
                })
                .onFailure().recoverWithNull().replaceWithVoid()
                .eventually(() -> {
                    LOG.debugf("metering: a window of %d port(s) written", windows.size());
                    flushing.set(false);
                });
    }
}
