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
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Rate limits kept in Redis so that every gateway instance counts against the same buckets: one
 * Lua script (GCRA over all of a request's buckets) per decision, timed by Redis's own clock.
 */
@ApplicationScoped
public class RateLimiter {

    private final Redis redis;
    private final Duration timeout;
    private final Duration failClosedTimeout;
    private final String script;
    private volatile String sha;

    public RateLimiter(Redis redis,
                       @ConfigProperty(name = "tollgate.gateway.redis-timeout", defaultValue = "PT0.25S") Duration timeout,
                       @ConfigProperty(name = "tollgate.gateway.redis-timeout-fail-closed", defaultValue = "PT2S") Duration failClosedTimeout) {
        this.redis = redis;
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
     * Decisions taken on one event loop in the same turn are pipelined: their scripts go to Redis in
     * one write and come back in one read. Each is still its own atomic script, run in arrival order.
     */
    public Future<Decision> check(List<Limit> limits, boolean failClosed) {
        if (limits.isEmpty()) {
            return Future.succeededFuture(Decision.UNLIMITED);
        }
        Promise<Response> promise = Promise.promise();
        Context context = Vertx.currentContext();
        if (context == null || !context.isEventLoopContext()) {
            send(List.of(new Pending(limits, promise)));
        } else {
            List<Pending> queue = PENDING.get();
            queue.add(new Pending(limits, promise));
            if (queue.size() == 1) {
                context.runOnContext(v -> {
                    List<Pending> batch = List.copyOf(queue);
                    queue.clear();
                    send(batch);
                });
            }
        }
        long waitMs = (failClosed ? failClosedTimeout : timeout).toMillis();
        return promise.future().timeout(waitMs, TimeUnit.MILLISECONDS).map(r -> {
            long[] remaining = new long[limits.size()];
            long[] reset = new long[limits.size()];
            for (int i = 0; i < limits.size(); i++) {
                remaining[i] = r.get(2 + 2 * i).toLong();
                reset[i] = r.get(3 + 2 * i).toLong();
            }
            long retryMs = r.get(1).toLong();
            return new Decision(r.get(0).toInteger() == 1, Math.max(1, (retryMs + 999) / 1000), limits, remaining, reset);
        });
    }

    private static final ThreadLocal<List<Pending>> PENDING = ThreadLocal.withInitial(ArrayList::new);

    private record Pending(List<Limit> limits, Promise<Response> promise) {
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

    private Future<List<Response>> pipeline(String scriptSha, List<Pending> batch) {
        if (batch.size() == 1) {
            return redis.send(evalsha(scriptSha, batch.get(0).limits())).map(List::of);
        }
        List<Request> requests = new ArrayList<>(batch.size());
        batch.forEach(p -> requests.add(evalsha(scriptSha, p.limits())));
        return redis.batch(requests);
    }

    private static Request evalsha(String scriptSha, List<Limit> limits) {
        Request request = Request.cmd(Command.EVALSHA).arg(scriptSha).arg(limits.size());
        limits.forEach(l -> request.arg(l.key()));
        limits.forEach(l -> request.arg(l.limit()).arg(l.periodMs()));
        return request;
    }
}
