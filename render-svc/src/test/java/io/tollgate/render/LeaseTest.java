package io.tollgate.render;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.render.jobs.Job;
import io.tollgate.render.jobs.JobRepository;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker that claims a job and dies (it never renews its lease): the sweeper hands the job on,
 * another worker finishes it once, and the dead worker's late write changes nothing.
 */
@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
class LeaseTest {

    private final JobRepository jobs;

    LeaseTest(JobRepository jobs) {
        this.jobs = jobs;
    }

    @Test
    void a_job_whose_worker_vanished_is_run_again_and_finished_once() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        // the caller's first job keeps the real workers at this owner's ceiling (one running job in tests)...
        // long enough to be seen running on a loaded machine
        String first = QueueTest.submit(caller, QueueTest.MODEL, QueueTest.SLOW, null).then().statusCode(202).extract().path("request_id");
        QueueTest.awaitStatus(caller, QueueTest.MODEL, first, "IN_PROGRESS");
        // ...so the second waits, and a "worker" with no ceiling claims it and then never renews its lease
        String id = QueueTest.submit(caller, QueueTest.MODEL, "{\"prompt\": \"orphan\", \"width\": 64, \"height\": 64}", null)
                .then().statusCode(202).extract().path("request_id");
        UUID job = UUID.fromString(id);
        Optional<Job> stolen = jobs.pool().withTransaction(tx -> jobs.claim(tx, 100, Duration.ofSeconds(1), job)).await().indefinitely();
        assertTrue(stolen.isPresent(), "a queued job behind the owner's ceiling is claimable");
        Job dead = stolen.get();
        // the sweeper sees the lapsed lease and puts the job back; a real worker finishes it
        QueueTest.awaitStatus(caller, QueueTest.MODEL, id, "COMPLETED");
        Job done = jobs.find(dead.id()).await().indefinitely().orElseThrow();
        assertEquals(2, done.attempts(), "the dead worker's attempt and the one that finished");
        assertFalse(jobs.pool().withTransaction(tx -> jobs.complete(tx, dead.id(), dead.leaseId(), 999, BigDecimal.TEN,
                new JsonObject(), null)).await().indefinitely(), "the dead worker's late write changes nothing");
        Job after = jobs.find(dead.id()).await().indefinitely().orElseThrow();
        assertEquals(done.costMinor(), after.costMinor());
        assertTrue(after.costMinor() <= after.estimatedCostMinor());
    }

    @Test
    void one_claim_fills_several_slots_and_keeps_each_owner_within_its_ceiling() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        // long enough to be seen running on a loaded machine
        String first = QueueTest.submit(caller, QueueTest.MODEL, QueueTest.SLOW, null).then().statusCode(202).extract().path("request_id");
        QueueTest.awaitStatus(caller, QueueTest.MODEL, first, "IN_PROGRESS");
        for (int i = 0; i < 3; i++) {
            QueueTest.submit(caller, QueueTest.MODEL, "{\"prompt\": \"waiting " + i + "\", \"width\": 64, \"height\": 64}", null).then()
                    .statusCode(202);
        }
        // a ceiling of 3 with one running leaves room for two of the three waiting, whatever the batch asks for
        java.util.List<Job> taken = jobs.pool().withTransaction(tx -> jobs.claimSome(tx, 3, Duration.ofSeconds(1), null, 10))
                .await().indefinitely();
        assertEquals(2, taken.stream().filter(j -> j.userId().equals(caller.id())).count(), taken.toString());
        for (Job job : taken.stream().filter(j -> j.userId().equals(caller.id())).toList()) {
            QueueTest.awaitStatus(caller, QueueTest.MODEL, job.id().toString(), "COMPLETED");
        }
    }

    @Test
    void claims_that_race_for_one_owners_jobs_never_take_it_past_its_ceiling() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        String first = QueueTest.submit(caller, QueueTest.MODEL, QueueTest.SLOW, null).then().statusCode(202).extract().path("request_id");
        QueueTest.awaitStatus(caller, QueueTest.MODEL, first, "IN_PROGRESS");
        // six waiting jobs of the owner, and six workers with a ceiling of 2 each claiming a different one at once:
        // each sees one running; only one of them may take a job
        java.util.List<UUID> waiting = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            waiting.add(UUID.fromString(QueueTest.submit(caller, QueueTest.MODEL, "{\"prompt\": \"race " + i + "\", \"width\": 64, \"height\": 64}",
                    null).then().statusCode(202).extract().path("request_id")));
        }
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.List<java.util.concurrent.CompletableFuture<Optional<Job>>> claims = new java.util.ArrayList<>();
        for (UUID job : waiting) {
            claims.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                return jobs.pool().withTransaction(tx -> jobs.claim(tx, 2, Duration.ofSeconds(1), job)).await().indefinitely();
            }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
        }
        go.countDown();
        long taken = 0;
        for (var claim : claims) {
            taken += claim.get(30, java.util.concurrent.TimeUnit.SECONDS).isPresent() ? 1 : 0;
        }
        assertEquals(1, taken, "one running and a ceiling of 2 leave room for one");
        // the claimed job's lease lapses (nobody renews it), and the real workers finish everything
        for (UUID job : waiting) {
            QueueTest.awaitStatus(caller, QueueTest.MODEL, job.toString(), "COMPLETED");
        }
    }
}
