package io.tollgate.render.assets;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.concurrent.Offload;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.List;

/** Deletes assets past {@code tollgate.render.assets.retention} (their rows and their files). */
@ApplicationScoped
public class AssetRetention {

    private final AssetRepository assets;
    private final AssetStore store;
    private final Clock clock;

    public AssetRetention(AssetRepository assets, AssetStore store, Clock clock) {
        this.assets = assets;
        this.store = store;
        this.clock = clock;
    }

    @Scheduled(identity = "render-asset-retention", every = "${tollgate.render.assets.retention-scan:10m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return purge(500).replaceWithVoid();
    }

    /** Deletes up to {@code limit} expired assets; returns how many. */
    public Uni<Integer> purge(int limit) {
        return assets.expired(clock.instant(), limit)
                .onItem().transformToMulti(list -> Multi.createFrom().iterable(list))
                .onItem().transformToUniAndConcatenate(asset -> assets.delete(asset.id())
                        .chain(() -> Offload.compute(() -> {
                            store.delete(asset.storageKey());
                            return asset;
                        })))
                .collect().asList().map(List::size);
    }
}
