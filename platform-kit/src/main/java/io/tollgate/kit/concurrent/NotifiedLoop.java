package io.tollgate.kit.concurrent;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.pgclient.PgConnectOptions;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A worker thread that runs a batch when PostgreSQL {@code NOTIFY}s its channel, or at the latest
 * every {@code interval}, and keeps running batches while they report more work. A failing batch
 * backs off (0.5 s doubling to 5 s) instead of spinning. The outbox relay and the webhook worker
 * both run on it.
 */
public final class NotifiedLoop {

    /** One batch; true when there is more to do at once. */
    @FunctionalInterface
    public interface Batch {
        boolean run() throws InterruptedException;
    }

    private final Semaphore wake = new Semaphore(0);
    private final Duration interval;
    private final Batch batch;
    private final Logger log;
    private final String name;
    private final PgSubscriber subscriber;
    private volatile boolean running = true;

    private NotifiedLoop(Vertx vertx, PgConnectOptions options, String channel, String name, Duration interval, Batch batch, Logger log) {
        this.interval = interval;
        this.batch = batch;
        this.log = log;
        this.name = name;
        this.subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> 1_000L);
        subscriber.channel(channel).handler(payload -> wake.release());
        subscriber.connect().subscribe().with(ok -> { }, e -> log.warnf("%s wake-ups off until reconnect: %s", name, e.getMessage()));
        Thread.ofPlatform().name(name).daemon().start(this::loop);
    }

    /** Starts listening on {@code channel} of the database at {@code url} and the thread named {@code name}. */
    public static NotifiedLoop start(Vertx vertx, String url, String user, String password, String channel, String name, Duration interval,
                                     Batch batch, Logger log) {
        PgConnectOptions options = PgConnectOptions.fromUri(url).setUser(user).setPassword(password);
        return new NotifiedLoop(vertx, options, channel, name, interval, batch, log);
    }

    /** Runs a batch now rather than at the next notification or interval. */
    public void nudge() {
        wake.release();
    }

    public void stop() {
        running = false;
        wake.release();
        subscriber.close().subscribe().with(ok -> { }, e -> { });
    }

    private void loop() {
        long backoff = 0;
        while (running) {
            try {
                wake.tryAcquire(backoff > 0 ? backoff : interval.toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
                while (running && batch.run()) {
                    // more work is waiting: take it at once
                }
                backoff = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warnf("%s paused: %s", name, e.getMessage());
                backoff = Math.min(Math.max(backoff * 2, 500), 5_000);
            }
        }
    }
}
