package io.tollgate.e2e;

import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tollgate.e2e.Databases.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thousand jobs through the gateway, succeeding, failing at the remote provider and cancelled
 * (queued or already running), while a second render instance works the same queue and is killed
 * with SIGKILL in the middle of the run. Afterwards every job has ended once, every hold is
 * settled (none pending), what billing captured is exactly what the completed jobs cost, each
 * completed job was captured once and nothing else was, every wallet equals its grant less its
 * captures, and every journal entry's postings sum to zero.
 */
@ExtendWith(FleetExtension.class)
class RenderChaosJourneyTest {

    private static final int CUSTOMERS = 20;
    private static final int JOBS = 1000;
    private static final long GRANT = 100_000;
    private static final String LOCAL = "local/procedural-image";
    private static final String FAILING = "sandbox/failing-image";

    private record Submitted(String id, RenderJourneyTest.Customer customer, String kind) {
    }

    @Test
    void a_thousand_jobs_with_a_worker_killed_mid_run_settle_every_hold_once(Fleet fleet) throws Exception {
        String gateway = fleet.gatewayUrl();
        List<RenderJourneyTest.Customer> customers = new ArrayList<>();
        for (int i = 0; i < CUSTOMERS; i++) {
            customers.add(RenderJourneyTest.customer(fleet, GRANT));
        }
        UUID[] users = customers.stream().map(c -> UUID.fromString(c.account().userId())).toArray(UUID[]::new);

        Fleet.Extra second = fleet.startAlone("render", "local", Map.of());
        long up = System.nanoTime();
        while (true) {
            try {
                if (io.restassured.RestAssured.given().get(second.url() + "/v1/models").statusCode() == 200) {
                    break;
                }
            } catch (Exception e) {
                // not listening yet
            }
            assertTrue(System.nanoTime() - up < Duration.ofSeconds(60).toNanos(), "the second render instance did not start");
            Thread.sleep(250);
        }

        List<Submitted> submitted = new ArrayList<>();
        Map<String, Boolean> cancelled = new ConcurrentHashMap<>();
        AtomicInteger sent = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Submitted>> futures = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(20261202);
            for (int i = 0; i < JOBS; i++) {
                RenderJourneyTest.Customer customer = customers.get(i % CUSTOMERS);
                int roll = random.nextInt(100);
                String kind = roll < 70 ? "succeed" : roll < 85 ? "fail" : "cancel";
                int n = i;
                futures.add(pool.submit(() -> {
                    String model = kind.equals("fail") ? FAILING : LOCAL;
                    String body = kind.equals("fail") ? "{\"prompt\": \"chaos " + n + "\"}"
                            : "{\"prompt\": \"chaos " + n + "\", \"width\": 64, \"height\": 64, \"num_inference_steps\": 1}";
                    String id = Journeys.at(gateway, customer.account().ip()).header("X-API-Key", customer.key())
                            .contentType("application/json").header("Idempotency-Key", "chaos-" + n).body(body)
                            .post("/v1/queue/" + model).then().statusCode(202).extract().path("request_id");
                    if (kind.equals("cancel")) {
                        JsonPath answer = Journeys.at(gateway, customer.account().ip()).header("X-API-Key", customer.key())
                                .put("/v1/queue/" + model + "/requests/" + id + "/cancel").then().statusCode(200).extract().jsonPath();
                        cancelled.put(id, answer.getBoolean("ok"));
                    }
                    sent.incrementAndGet();
                    return new Submitted(id, customer, kind);
                }));
            }
            // the second instance dies without a word while it holds jobs: SIGKILL, no shutdown hook runs
            while (sent.get() < JOBS * 2 / 5) {
                Thread.sleep(50);
            }
            second.process().destroyForcibly();
            assertTrue(second.process().waitFor(Duration.ofSeconds(20).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
            for (Future<Submitted> f : futures) {
                submitted.add(f.get());
            }
        } finally {
            pool.shutdownNow();
            second.close();
        }
        assertEquals(JOBS, submitted.size());

        try (Connection render = Databases.connect("render"); Connection billing = Databases.connect("billing")) {
            // every job ends: the dead instance's leases lapse and the sweeper re-queues its jobs
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            long open;
            while ((open = count(render, "select count(*) from jobs where user_id = any (?) and status in ('IN_QUEUE', 'IN_PROGRESS')",
                    render.createArrayOf("uuid", users))) > 0) {
                assertTrue(System.nanoTime() < deadline, open + " jobs had not ended after 5 minutes");
                Thread.sleep(500);
            }
            long completed = count(render, "select count(*) from jobs where user_id = any (?) and status = 'COMPLETED'",
                    render.createArrayOf("uuid", users));
            long failed = count(render, "select count(*) from jobs where user_id = any (?) and status = 'FAILED'",
                    render.createArrayOf("uuid", users));
            long cancelledJobs = count(render, "select count(*) from jobs where user_id = any (?) and status = 'CANCELLED'",
                    render.createArrayOf("uuid", users));
            long retried = count(render, "select count(*) from jobs where user_id = any (?) and attempts > 1",
                    render.createArrayOf("uuid", users));
            long spent = count(render, "select coalesce(sum(cost_minor), 0) from jobs where user_id = any (?) and status = 'COMPLETED'",
                    render.createArrayOf("uuid", users));
            System.out.printf("chaos: %d jobs, %d completed, %d failed, %d cancelled, %d ran again after the kill, %d spent%n",
                    JOBS, completed, failed, cancelledJobs, retried, spent);
            assertEquals(JOBS, completed + failed + cancelledJobs, "every job ended once");
            assertEquals(cancelled.values().stream().filter(ok -> ok).count(), cancelledJobs, "a cancel that said ok is the job's end");
            assertTrue(failed >= submitted.stream().filter(s -> s.kind().equals("fail")).count(), "the provider's failures failed");

            // billing settles from render's events: wait until no hold of theirs is pending
            long pending;
            while ((pending = count(billing, "select count(*) from holds where user_id = any (?) and status = 'pending'",
                    billing.createArrayOf("uuid", users))) > 0) {
                assertTrue(System.nanoTime() < deadline, pending + " holds still pending");
                Thread.sleep(500);
            }
            assertEquals(spent, count(billing, "select coalesce(sum(captured_minor), 0) from holds where user_id = any (?)",
                    billing.createArrayOf("uuid", users)), "captured is what the completed jobs cost");
            assertEquals(completed, count(billing, "select count(*) from journal where user_id = any (?) and type = 'capture'",
                    billing.createArrayOf("uuid", users)), "one capture per completed job, none for the others");
            assertEquals(JOBS, count(billing, "select count(*) from holds where user_id = any (?)", billing.createArrayOf("uuid", users)),
                    "one hold per job");
            assertEquals(0, count(billing, "select count(*) from (select journal_id from postings p join journal j on j.id = p.journal_id"
                    + " where j.user_id = any (?) group by journal_id having sum(p.amount_minor) <> 0) unbalanced",
                    billing.createArrayOf("uuid", users)), "every journal entry's postings sum to zero");
            long wallets = count(billing, "select coalesce(sum(available_minor), 0) from wallets where user_id = any (?)",
                    billing.createArrayOf("uuid", users));
            assertEquals(CUSTOMERS * GRANT - spent, wallets, "the wallets hold the grants less what was captured");
            assertEquals(0, count(billing, "select coalesce(sum(reserved_minor), 0) from wallets where user_id = any (?)",
                    billing.createArrayOf("uuid", users)), "nothing is left reserved");
        }
    }
}
