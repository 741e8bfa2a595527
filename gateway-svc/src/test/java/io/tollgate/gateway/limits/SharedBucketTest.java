package io.tollgate.gateway.limits;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two gateway instances share Redis: the application's limiter and a second one with its own Redis
 * connection and its own shares, as another instance holds them. 64 clients, split between the two,
 * hammer one bucket; what both admit together stays within the limit plus 1%, whether the bucket
 * is large enough to lease shares or takes one decision per request.
 */
@QuarkusTest
class SharedBucketTest {

    private static final int CLIENTS = 64;
    private static final long HOUR_MS = 3_600_000;

    @Inject
    RateLimiter first;

    @Inject
    Vertx vertx;

    private Redis otherConnection;

    @AfterEach
    void close() {
        if (otherConnection != null) {
            otherConnection.close();
        }
    }

    @Test
    void a_busy_large_bucket_is_mostly_admitted_from_leased_shares() throws Exception {
        long limit = 1_000_000;
        Limit bucket = new Limit("key", "rl:test:shared:" + UUID.randomUUID(), limit, HOUR_MS);
        RateLimiter second = secondInstance();
        long sentBefore = first.decisionsSent() + second.decisionsSent();

        Outcome outcome = hammer(List.of(first, second), bucket, 100);

        assertEquals(0, outcome.failures(), "every decision answered");
        assertEquals(outcome.attempts(), outcome.admitted(), "far below the limit, everything is admitted");
        long sent = first.decisionsSent() + second.decisionsSent() - sentBefore;
        assertTrue(sent < outcome.attempts() / 4, sent + " scripts for " + outcome.attempts() + " decisions");
    }

    @Test
    void a_leasing_bucket_driven_past_its_limit_admits_at_most_the_limit_plus_one_percent() throws Exception {
        long limit = 5_000;
        Limit bucket = new Limit("key", "rl:test:shared:" + UUID.randomUUID(), limit, HOUR_MS);
        RateLimiter second = secondInstance();
        long sentBefore = first.decisionsSent() + second.decisionsSent();

        Outcome outcome = hammer(List.of(first, second), bucket, 250);

        assertEquals(0, outcome.failures(), "every decision answered");
        long refill = outcome.elapsedMs() * limit / HOUR_MS + 1;
        assertTrue(outcome.admitted() <= limit + limit / 100 + refill,
                "admitted " + outcome.admitted() + " of " + outcome.attempts() + " against a limit of " + limit);
        // leased tokens left unspent are lost, never more than what is out on lease (1% of the limit) per epoch
        assertTrue(outcome.admitted() >= limit * 95 / 100, "admitted " + outcome.admitted() + " of a limit of " + limit);
        long sent = first.decisionsSent() + second.decisionsSent() - sentBefore;
        assertTrue(sent < outcome.attempts(), "some decisions were taken from leased shares: " + sent + " scripts for "
                + outcome.attempts() + " decisions");
    }

    @Test
    void a_small_bucket_takes_one_decision_per_request_and_admits_exactly_the_limit() throws Exception {
        long limit = 300;
        Limit bucket = new Limit("general", "rl:test:shared:" + UUID.randomUUID(), limit, HOUR_MS);
        RateLimiter second = secondInstance();
        long sentBefore = first.decisionsSent() + second.decisionsSent();

        Outcome outcome = hammer(List.of(first, second), bucket, 10);

        assertEquals(0, outcome.failures(), "every decision answered");
        long refill = outcome.elapsedMs() * limit / HOUR_MS;
        assertTrue(outcome.admitted() >= limit && outcome.admitted() <= limit + refill,
                "admitted " + outcome.admitted() + " of " + outcome.attempts() + " against a limit of " + limit);
        assertEquals(outcome.attempts(), first.decisionsSent() + second.decisionsSent() - sentBefore,
                "one script per request");
    }

    private RateLimiter secondInstance() {
        String hosts = ConfigProvider.getConfig().getValue("quarkus.redis.hosts", String.class);
        otherConnection = Redis.createClient(vertx, new RedisOptions().setConnectionString(hosts).setMaxPoolSize(16)
                .setMaxPoolWaiting(4096));
        return new RateLimiter(otherConnection, vertx, true, Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    private record Outcome(long attempts, long admitted, long failures, long elapsedMs) {
    }

    /** {@code CLIENTS} clients, each on an event loop of its own, each sending {@code each} decisions one after another. */
    private Outcome hammer(List<RateLimiter> instances, Limit bucket, int each) throws Exception {
        AtomicLong admitted = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        long started = System.nanoTime();
        for (int c = 0; c < CLIENTS; c++) {
            RateLimiter limiter = instances.get(c % instances.size());
            Context context = vertx.getOrCreateContext();
            CompletableFuture<Void> done = new CompletableFuture<>();
            clients.add(done);
            context.runOnContext(v -> next(limiter, bucket, each, admitted, failures, done));
        }
        CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        return new Outcome((long) CLIENTS * each, admitted.get(), failures.get(), elapsedMs);
    }

    private static void next(RateLimiter limiter, Limit bucket, int left, AtomicLong admitted, AtomicLong failures,
                             CompletableFuture<Void> done) {
        if (left == 0) {
            done.complete(null);
            return;
        }
        limiter.check(List.of(bucket), false).onComplete(answer -> {
            if (answer.failed()) {
                failures.incrementAndGet();
            } else if (answer.result().admitted()) {
                admitted.incrementAndGet();
            }
            next(limiter, bucket, left - 1, admitted, failures, done);
        });
    }
}
