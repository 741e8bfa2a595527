package io.tollgate.identity.apikeys;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code usage_count} and {@code last_used_at} of API keys, counted in memory and written in one
 * batch every few seconds: a hot key must not serialise every exchange on its row lock.
 */
@ApplicationScoped
public class KeyUsage {

    private record Pending(long count, Instant lastUsed) {
        Pending plus(Pending other) {
            return new Pending(count + other.count, lastUsed.isAfter(other.lastUsed) ? lastUsed : other.lastUsed);
        }
    }

    private static final String FLUSH = """
            update api_keys set usage_count = usage_count + $2,
                   last_used_at = greatest(coalesce(last_used_at, $3), $3)
             where id = $1""";

    private final Pool pool;
    private final Map<UUID, Pending> pending = new ConcurrentHashMap<>();

    public KeyUsage(Pool pool) {
        this.pool = pool;
    }

    public void record(UUID keyId, Instant at) {
        pending.merge(keyId, new Pending(1, at), Pending::plus);
    }

    @Scheduled(identity = "api-key-usage-flush", every = "${tollgate.identity.api-keys.usage-flush:5s}")
    Uni<Void> flush() {
        if (pending.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> batch = new ArrayList<>();
        Map<UUID, Pending> taken = new ConcurrentHashMap<>();
        for (UUID id : List.copyOf(pending.keySet())) {
            Pending p = pending.remove(id);
            if (p != null) {
                taken.put(id, p);
                batch.add(Tuple.of(id, p.count(), p.lastUsed().atOffset(ZoneOffset.UTC)));
            }
        }
        return pool.preparedQuery(FLUSH).executeBatch(batch).replaceWithVoid()
                // Counts are put back on failure, so an outage delays them instead of losing them.
                .onFailure().invoke(() -> taken.forEach((id, p) -> pending.merge(id, p, Pending::plus)))
                .onFailure().recoverWithNull();
    }
}
