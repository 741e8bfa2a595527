package io.tollgate.proxy.dataplane;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A sticky pool session ({@code -session-<id>} in a pool username) as the node that holds it keeps
 * it: the exit it keeps, until when (its time, or 60 s without a new connection), the connections it
 * carries now and the bytes it carried. The node publishes its sessions for the API to list, and
 * closes one when the API asks.
 */
final class PoolSession {

    final UUID id = UUID.randomUUID();
    final UUID userId;
    final UUID tenantId;
    final String name;
    final UUID device;
    final boolean strict;
    final Instant createdAt;
    final Instant expiresAt;
    final long until;
    final AtomicLong in = new AtomicLong();
    final AtomicLong out = new AtomicLong();
    private final Set<DataPlane.Session> connections = ConcurrentHashMap.newKeySet();
    volatile long lastUse;
    volatile Instant lastUsedAt;

    PoolSession(UUID userId, UUID tenantId, String name, UUID device, boolean strict, Duration time, long now) {
        this.userId = userId;
        this.tenantId = tenantId;
        this.name = name;
        this.device = device;
        this.strict = strict;
        this.createdAt = Instant.now();
        this.expiresAt = createdAt.plus(time);
        this.until = now + time.toNanos();
        this.lastUse = now;
        this.lastUsedAt = createdAt;
    }

    void used(long now) {
        lastUse = now;
        lastUsedAt = Instant.now();
    }

    boolean expired(long now, Duration idle) {
        return now > until || (connections.isEmpty() && now - lastUse > idle.toNanos());
    }

    void attach(DataPlane.Session connection) {
        connections.add(connection);
    }

    void detach(DataPlane.Session connection) {
        connections.remove(connection);
        lastUse = System.nanoTime();
        lastUsedAt = Instant.now();
    }

    int open() {
        return connections.size();
    }

    /** Ends the session's open connections, saying why. */
    void close(String reason) {
        List.copyOf(connections).forEach(c -> c.close(reason));
    }
}
