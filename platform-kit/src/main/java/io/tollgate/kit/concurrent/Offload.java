package io.tollgate.kit.concurrent;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.concurrent.Callable;
import java.util.concurrent.Executor;

/**
 * Runs CPU-heavy work (password hashing, key generation) off the event loop and continues on the
 * caller's Vert.x context, so a reactive transaction that follows stays on its own thread.
 */
public final class Offload {

    private Offload() {
    }

    /** On Vert.x's worker pool. */
    public static <T> Uni<T> compute(Callable<T> work) {
        Context context = Vertx.currentContext();
        if (context == null) {
            return Uni.createFrom().item(() -> call(work));
        }
        return Uni.createFrom().completionStage(() -> context.executeBlocking(work, false).toCompletionStage());
    }

    /** On a given executor, e.g. one sized to the cores so memory-hard work cannot pile up. */
    public static <T> Uni<T> compute(Callable<T> work, Executor executor) {
        Context context = Vertx.currentContext();
        Uni<T> run = Uni.createFrom().item(() -> call(work)).runSubscriptionOn(executor);
        return context == null ? run : run.emitOn(command -> context.runOnContext(ignored -> command.run()));
    }

    private static <T> T call(Callable<T> work) {
        try {
            return work.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
