package io.tollgate.kit.concurrent;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.concurrent.Callable;

/**
 * Runs CPU-heavy work (password hashing, key generation) on a worker thread and continues on the
 * caller's Vert.x context, so a reactive transaction that follows stays on its own thread.
 */
public final class Offload {

    private Offload() {
    }

    public static <T> Uni<T> compute(Callable<T> work) {
        Context context = Vertx.currentContext();
        if (context == null) {
            return Uni.createFrom().item(() -> {
                try {
                    return work.call();
                } catch (Exception e) {
                    throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
                }
            });
        }
        return Uni.createFrom().completionStage(() -> context.executeBlocking(work, false).toCompletionStage());
    }
}
