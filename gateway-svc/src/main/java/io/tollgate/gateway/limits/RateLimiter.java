package io.tollgate.gateway.limits;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Rate limits kept in Redis so that every gateway instance counts against the same buckets: one
 * Lua script (GCRA over all of a request's buckets) per decision, timed by Redis's own clock. A
 * bucket of 1,000 or more per period may lease a share to an instance in that same script; the
 * tokens out on lease at any moment, over every instance, are at most 1% of its limit, which is
 * all it can admit beyond the exact count (the README explains the bound).
 */
@Singleton
public class RateLimiter {

    /** Leases are granted per epoch of Redis's clock and expire with it. */
    static final long LEASE_EPOCH_MS = 1_000;
    /** A busy bucket leases what this instance spends of it in this long. */
    static final long LEASE_AHEAD_MS = 100;
    static final long MAX_LEASE = 4_096;
    /** The reserve is 1/100 of the limit: the most a bucket can admit beyond its exact count. */
    static final long RESERVE_DIVISOR = 100;
    static final long MIN_RESERVE = 10;

    private final Redis redis;
    private final Vertx vertx;
    private final boolean leases;
    private final Map<String, Share> shares = new ConcurrentHashMap<>();
    private final LongAdder sent = new LongAdder();
    private final Duration timeout;
    private final Duration failClosedTimeout;
    private final String script;
    private volatile String sha;

    public RateLimiter(Redis redis, Vertx vertx,
                       @ConfigProperty(name = "tollgate.gateway.limits.leases", defaultValue = "true") boolean leases,
                       @ConfigProperty(name = "tollgate.gateway.redis-timeout", defaultValue = "PT0.25S") Duration timeout,
                       @ConfigProperty(name = "tollgate.gateway.redis-timeout-fail-closed", defaultValue = "PT2S") Duration failClosedTimeout) {
        this.redis = redis;
        this.vertx = vertx;
        this.leases = leases;
        this.timeout = timeout;
        this.failClosedTimeout = failClosedTimeout;
        try (InputStream in = RateLimiter.class.getResourceAsStream("/gateway/gcra.lua")) {
            this.script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("gateway/gcra.lua is missing", e);
        }
    }

    void start(@Observes StartupEvent event) {
        load();
        vertx.setPeriodic(10_000, id -> sweep());
    }

    private Future<String> load() {
        return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(script)).map(r -> {
            sha = r.toString();
            return sha;
        });
    }

    /**
     * Admits or refuses one request against all of {@code limits}; fails when Redis cannot answer in time.
     * A caller that fails closed on that failure ({@code failClosed}) waits longer, so that a slow moment
     * (a cold connection pool, a busy host) is not mistaken for an outage and turned into a refusal.
     * <p>
     * A bucket large enough to lease ({@link #reserveOf}) whose instance holds a token of its share
     * spends it here, without Redis; when every bucket of the request does, the decision is local.
     * The others go to Redis, where a busy bucket also leases its next share in the same script.
     * <p>
     * Decisions taken on one event loop in the same turn are pipelined: their scripts go to Redis in
     * one write and come back in one read. Each is still its own atomic script, run in arrival order.
     */
    public Future<Decision> check(List<Limit> limits, boolean failClosed) {
        if (limits.isEmpty()) {
            return Future.succeededFuture(Decision.UNLIMITED);
        }
        int n = limits.size();
        long nowNanos = System.nanoTime();
        Share[] shares = new Share[n];
        Lease[] taken = new Lease[n];
        int local = 0;
        for (int i = 0; i < n; i++) {
            Limit limit = limits.get(i);
            if (leases && reserveOf(limit) >= MIN_RESERVE) {
                Share share = this.shares.computeIfAbsent(limit.key(), k -> new Share(nowNanos));
                shares[i] = share;
                share.touched = nowNanos;
                Lease lease = share.lease;
                if (lease != null && lease.take(nowNanos)) {
                    taken[i] = lease;
                    local++;
                }
            }
        }
        if (local == n) {
            for (Share share : shares) {
                share.used.increment();
            }
            return Future.succeededFuture(localDecision(limits, taken));
        }
        Ask[] asks = new Ask[n - local];
        int[] positions = new int[n - local];
        for (int i = 0, j = 0; i < n; i++) {
            if (taken[i] == null) {
                Limit limit = limits.get(i);
                long lease = shares[i] == null ? 0 : shares[i].nextLease(nowNanos, reserveOf(limit));
                asks[j] = new Ask(limit, lease, shares[i] == null ? 0 : reserveOf(limit));
                positions[j++] = i;
            }
        }
        Promise<Response> promise = Promise.promise();
        Context context = Vertx.currentContext();
        if (context == null || !context.isEventLoopContext()) {
            send(List.of(new Pending(asks, promise)));
        } else {
            List<Pending> queue = PENDING.get();
            queue.add(new Pending(asks, promise));
            if (queue.size() == 1) {
                context.runOnContext(v -> {
                    List<Pending> batch = List.copyOf(queue);
                    queue.clear();
                    send(batch);
                });
            }
        }
        long waitMs = (failClosed ? failClosedTimeout : timeout).toMillis();
        return promise.future().timeout(waitMs, TimeUnit.MILLISECONDS).transform(answer -> {
            if (answer.failed()) {
                giveBack(taken, shares, asks, positions);
                return Future.failedFuture(answer.cause());
            }
            Response r = answer.result();
            boolean admitted = r.get(0).toInteger() == 1;
            long epoch = r.get(2).toLong();
            long leaseExpires = nowNanos + TimeUnit.MILLISECONDS.toNanos(r.get(3).toLong());
            long[] remaining = new long[n];
            long[] reset = new long[n];
            for (int j = 0; j < asks.length; j++) {
                int i = positions[j];
                remaining[i] = r.get(4 + 3 * j).toLong();
                reset[i] = r.get(5 + 3 * j).toLong();
                long granted = r.get(6 + 3 * j).toLong();
                if (shares[i] != null) {
                    shares[i].answered(admitted && granted > 1 ? granted - 1 : 0, epoch, leaseExpires,
                            remaining[i], reset[i], asks[j].lease() > 0);
                }
            }
            if (!admitted) {
                giveBack(taken, shares, new Ask[0], positions);
            }
            for (int i = 0; i < n; i++) {
                if (taken[i] != null) {
                    remaining[i] = taken[i].remaining();
                    reset[i] = taken[i].resetMs;
                }
                if (admitted && shares[i] != null) {
                    shares[i].used.increment();
                }
            }
            long retryMs = r.get(1).toLong();
            return Future.succeededFuture(new Decision(admitted, Math.max(1, (retryMs + 999) / 1000), limits, remaining, reset));
        });
    }

    /**
     * The most tokens of {@code limit} that may be out on lease at once, over every instance: 1% of
     * the limit. Smaller buckets ({@code < MIN_RESERVE}) never lease and take one decision per request.
     */
    static long reserveOf(Limit limit) {
        return limit.limit() / RESERVE_DIVISOR;
    }

    /** A decision taken from the instance's own shares alone. */
    private static Decision localDecision(List<Limit> limits, Lease[] taken) {
        long[] remaining = new long[limits.size()];
        long[] reset = new long[limits.size()];
        for (int i = 0; i < taken.length; i++) {
            remaining[i] = taken[i].remaining();
            reset[i] = taken[i].resetMs;
        }
        return new Decision(true, 1, limits, remaining, reset);
    }

    /** A refused or failed decision spends nothing: the tokens taken from shares go back to them. */
    private static void giveBack(Lease[] taken, Share[] shares, Ask[] asks, int[] positions) {
        for (Lease lease : taken) {
            if (lease != null) {
                lease.tokens.incrementAndGet();
            }
        }
        for (int j = 0; j < asks.length; j++) {
            if (asks[j].lease() > 0) {
                shares[positions[j]].leasing.set(false);
            }
        }
    }

    /** Forgets the shares of buckets nobody has used for a while (their leases have long expired). */
    private void sweep() {
        long idle = System.nanoTime() - TimeUnit.SECONDS.toNanos(30);
        shares.values().removeIf(share -> share.touched - idle < 0 && !share.leasing.get());
    }

    private static final ThreadLocal<List<Pending>> PENDING = ThreadLocal.withInitial(ArrayList::new);

    /** One bucket as sent to the script: {@code lease} tokens asked for on top, within {@code reserve}. */
    private record Ask(Limit limit, long lease, long reserve) {
    }

    private record Pending(Ask[] asks, Promise<Response> promise) {
    }

    /** Tokens this instance holds of one bucket, spendable until {@code expiresNanos} (the end of its epoch). */
    private static final class Lease {
        final long epoch;
        final long expiresNanos;
        final AtomicLong tokens;
        final long remainingSeen;
        final long resetMs;

        Lease(long epoch, long expiresNanos, long tokens, long remainingSeen, long resetMs) {
            this.epoch = epoch;
            this.expiresNanos = expiresNanos;
            this.tokens = new AtomicLong(tokens);
            this.remainingSeen = remainingSeen;
            this.resetMs = resetMs;
        }

        boolean take(long nowNanos) {
            if (nowNanos - expiresNanos >= 0) {
                return false;
            }
            long left = tokens.get();
            while (left > 0) {
                if (tokens.compareAndSet(left, left - 1)) {
                    return true;
                }
                left = tokens.get();
            }
            return false;
        }

        /** What the bucket had left at Redis when the share was granted, plus what of the share is unspent. */
        long remaining() {
            return remainingSeen + Math.max(0, tokens.get());
        }
    }

    /** This instance's dealings with one large bucket: its current lease and how fast it spends. */
    private static final class Share {
        final LongAdder used = new LongAdder();
        final AtomicBoolean leasing = new AtomicBoolean();
        volatile Lease lease;
        volatile long touched;
        private long askedNanos;

        Share(long nowNanos) {
            this.askedNanos = nowNanos;
            this.touched = nowNanos;
        }

        /**
         * Tokens to lease on top of this request: what this instance spent of the bucket over the last
         * {@code LEASE_AHEAD_MS} at its recent pace (none for a quiet bucket, so a share is rarely left
         * unspent), at most a quarter of the reserve; none while another lease is on its way.
         */
        synchronized long nextLease(long nowNanos, long reserve) {
            if (!leasing.compareAndSet(false, true)) {
                return 0;
            }
            long elapsed = Math.max(1, nowNanos - askedNanos);
            long spent = used.sumThenReset();
            askedNanos = nowNanos;
            long ask = Math.min(Math.min(reserve / 4, MAX_LEASE), spent * TimeUnit.MILLISECONDS.toNanos(LEASE_AHEAD_MS) / elapsed);
            if (ask <= 0) {
                leasing.set(false);
                return 0;
            }
            return ask;
        }

        /** Redis answered a decision of this bucket: keep what it granted on lease. */
        void answered(long leased, long epoch, long expiresNanos, long remaining, long resetMs, boolean asked) {
            if (leased > 0) {
                Lease current = lease;
                if (current != null && current.epoch == epoch && current.expiresNanos - System.nanoTime() > 0) {
                    // same epoch: the tokens join the share and expire with the earlier deadline
                    lease = new Lease(epoch, Math.min(current.expiresNanos, expiresNanos),
                            current.tokens.getAndSet(0) + leased, remaining, resetMs);
                } else {
                    lease = new Lease(epoch, expiresNanos, leased, remaining, resetMs);
                }
            }
            if (asked) {
                leasing.set(false);
            }
        }
    }

    private void send(List<Pending> batch) {
        String known = sha;
        Future<List<Response>> answers = known == null ? load().compose(s -> pipeline(s, batch))
                : pipeline(known, batch).recover(e -> String.valueOf(e.getMessage()).startsWith("NOSCRIPT")
                ? load().compose(s -> pipeline(s, batch)) : Future.failedFuture(e));
        answers.onComplete(result -> {
            for (int i = 0; i < batch.size(); i++) {
                if (result.failed()) {
                    batch.get(i).promise().tryFail(result.cause());
                } else {
                    batch.get(i).promise().tryComplete(result.result().get(i));
                }
            }
        });
    }

    /** Scripts sent to Redis so far (one per decision that was not taken from shares alone). */
    long decisionsSent() {
        return sent.sum();
    }

    private Future<List<Response>> pipeline(String scriptSha, List<Pending> batch) {
        sent.add(batch.size());
        if (batch.size() == 1) {
            return redis.send(evalsha(scriptSha, batch.get(0).asks())).map(List::of);
        }
        List<Request> requests = new ArrayList<>(batch.size());
        batch.forEach(p -> requests.add(evalsha(scriptSha, p.asks())));
        return redis.batch(requests);
    }

    private static Request evalsha(String scriptSha, Ask[] asks) {
        Request request = Request.cmd(Command.EVALSHA).arg(scriptSha).arg(asks.length);
        for (Ask ask : asks) {
            request.arg(ask.limit().key());
        }
        request.arg(LEASE_EPOCH_MS);
        for (Ask ask : asks) {
            request.arg(ask.limit().limit()).arg(ask.limit().periodMs()).arg(1).arg(ask.lease()).arg(ask.reserve());
        }
        return request;
    }
}
