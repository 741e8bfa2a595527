package io.tollgate.billing;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.billing.holds.Holds;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Money moved by many callers at once: nothing is lost, nothing is resolved twice. */
@QuarkusTest
class LedgerRaceTest {

    @Inject
    Pool pool;

    @Inject
    Holds holds;

    @Test
    void two_hundred_racers_on_one_hold_leave_exactly_one_winner() throws Exception {
        Money.User user = Money.user(10_000);
        String hold = Money.hold(user, 4_000).then().statusCode(201).extract().path("id");
        List<Callable<Response>> racers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int kind = i % 3;
            racers.add(() -> kind == 0 ? Money.capture(hold, null) : kind == 1 ? Money.capture(hold, 1_500L) : Money.voidHold(hold));
        }
        List<Response> answers = race(racers, 32);
        long wins = answers.stream().filter(r -> r.statusCode() == 200).count();
        assertEquals(1, wins, "exactly one resolution");
        assertTrue(answers.stream().allMatch(r -> r.statusCode() == 200 || r.statusCode() == 409));
        Response winner = answers.stream().filter(r -> r.statusCode() == 200).findFirst().orElseThrow();
        long captured = winner.jsonPath().getLong("captured_minor");
        assertEquals(10_000 - captured, Money.available(user));
        assertEquals(0, Money.reserved(user));
        assertEquals(captured > 0 ? 1 : 0, count("select count(*) from journal where reference_id = $1 and type = 'capture'",
                Tuple.of(hold)));
        assertEquals(captured < 4_000 ? 1 : 0, count("select count(*) from journal where reference_id = $1 and type = 'release'",
                Tuple.of(hold)));
        assertBooksBalance();
    }

    @Test
    void fifty_racers_with_one_idempotency_key_place_one_hold() throws Exception {
        Money.User user = Money.user(10_000);
        String body = "{\"user_id\": \"" + user.id() + "\", \"tenant_id\": \"" + Money.TENANT + "\", \"amount_minor\": 300}";
        String key = UUID.randomUUID().toString();
        List<Callable<Response>> racers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            racers.add(() -> given().auth().oauth2(Money.RENDER).header("Idempotency-Key", key)
                    .contentType("application/json").body(body).post("/internal/holds"));
        }
        List<Response> answers = race(racers, 25);
        assertTrue(answers.stream().allMatch(r -> r.statusCode() == 201), "every racer gets the hold");
        assertEquals(1, answers.stream().map(r -> r.<String>path("id")).distinct().count(), "one hold for all");
        assertEquals(49, answers.stream().filter(r -> "true".equals(r.header("Idempotent-Replayed"))).count());
        assertEquals(10_000 - 300, Money.available(user));
        assertEquals(300, Money.reserved(user));
        assertEquals(1, count("select count(*) from holds where idempotency_key = $1", Tuple.of(key)));
        assertBooksBalance();
    }

    @Test
    void expiry_racing_voids_resolves_each_hold_once() throws Exception {
        Money.User user = Money.user(10_000);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(Money.hold(user, 100, 1).then().statusCode(201).extract().path("id"));
        }
        Thread.sleep(1_100);
        List<Callable<Response>> racers = new ArrayList<>();
        for (String id : ids) {
            racers.add(() -> Money.voidHold(id));
            racers.add(() -> Money.capture(id, 40L));
        }
        ExecutorService expirer = Executors.newFixedThreadPool(2);
        List<Future<Integer>> expiries = List.of(
                expirer.submit(() -> holds.expireDue(100).await().atMost(Duration.ofSeconds(30))),
                expirer.submit(() -> holds.expireDue(100).await().atMost(Duration.ofSeconds(30))));
        race(racers, 16);
        for (Future<Integer> f : expiries) {
            f.get();
        }
        expirer.shutdown();
        for (String id : ids) {
            String status = pool.preparedQuery("select status from holds where id = $1").execute(Tuple.of(UUID.fromString(id)))
                    .await().atMost(Duration.ofSeconds(10)).iterator().next().getString("status");
            assertTrue(List.of("voided", "expired", "partially_captured").contains(status), status);
            long releases = count("select count(*) from journal where reference_id = $1 and type = 'release'", Tuple.of(id));
            assertEquals(1, releases, "hold " + id + " released once");
        }
        assertEquals(0, Money.reserved(user));
        assertBooksBalance();
    }

    @Test
    void ten_thousand_random_operations_over_fifty_wallets_lose_nothing() throws Exception {
        List<Money.User> users = new ArrayList<>();
        Map<UUID, AtomicLong> expected = new ConcurrentHashMap<>();
        for (int i = 0; i < 50; i++) {
            Money.User user = Money.user(5_000);
            users.add(user);
            expected.put(user.id(), new AtomicLong(5_000));
        }
        Map<UUID, ConcurrentLinkedQueue<String>> open = new ConcurrentHashMap<>();
        users.forEach(u -> open.put(u.id(), new ConcurrentLinkedQueue<>()));
        List<Callable<Response>> ops = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Money.User user = users.get(ThreadLocalRandom.current().nextInt(users.size()));
            int kind = ThreadLocalRandom.current().nextInt(10);
            long amount = 1 + ThreadLocalRandom.current().nextInt(400);
            ops.add(() -> switch (kind) {
                case 0 -> record(Money.grant(user.id(), amount), 201, () -> expected.get(user.id()).addAndGet(amount));
                case 1 -> record(Money.clawback(user.id(), amount), 201, () -> expected.get(user.id()).addAndGet(-amount));
                case 2, 3, 4 -> {
                    Response placed = Money.hold(user, amount);
                    if (placed.statusCode() == 201) {
                        open.get(user.id()).add(placed.path("id") + ":" + amount);
                    }
                    yield placed;
                }
                case 5, 6, 7 -> {
                    String entry = open.get(user.id()).poll();
                    if (entry == null) {
                        yield null;
                    }
                    String[] parts = entry.split(":");
                    long part = 1 + ThreadLocalRandom.current().nextLong(Long.parseLong(parts[1]));
                    yield record(Money.capture(parts[0], part), 200, () -> expected.get(user.id()).addAndGet(-part));
                }
                default -> {
                    String entry = open.get(user.id()).poll();
                    yield entry == null ? null : Money.voidHold(entry.split(":")[0]);
                }
            });
        }
        List<Response> answers = race(ops, 32);
        for (Response r : answers) {
            if (r != null) {
                assertTrue(List.of(200, 201, 402).contains(r.statusCode()), r.statusCode() + " " + r.asString());
            }
        }
        for (Money.User user : users) {
            // what the wallet holds (available plus still-reserved) is what the successful moves say
            assertEquals(expected.get(user.id()).get(), Money.available(user) + Money.reserved(user), "wallet of " + user.id());
        }
        assertBooksBalance();
    }

    private static Response record(Response response, int success, Runnable onSuccess) {
        if (response.statusCode() == success) {
            onSuccess.run();
        }
        return response;
    }

    /** Double entry and the wallet totals agree, everywhere. */
    private void assertBooksBalance() {
        assertEquals(0, count("select count(*) from (select journal_id from postings group by journal_id "
                + "having sum(amount_minor) <> 0) unbalanced", Tuple.tuple()), "every journal row's postings sum to zero");
        // grouped once over the whole table: reconciliation reads everything, not one wallet at a time
        assertEquals(0, count("select count(*) from wallets w left join (select wallet_id, sum(amount_minor) as available, "
                + "sum(reserved_change_minor) as reserved from journal group by wallet_id) j on j.wallet_id = w.id "
                + "where w.available_minor <> coalesce(j.available, 0) or w.reserved_minor <> coalesce(j.reserved, 0)",
                Tuple.tuple()), "wallet balances equal their journals");
        assertEquals(0, count("select count(*) from wallets w left join (select split_part(account, ':', 2)::uuid as wallet_id, "
                + "sum(amount_minor) filter (where account like '%:available') as available, "
                + "sum(amount_minor) filter (where account like '%:reserved') as reserved "
                + "from postings where account like 'wallet:%' group by 1) a on a.wallet_id = w.id "
                + "where w.available_minor <> coalesce(a.available, 0) or w.reserved_minor <> coalesce(a.reserved, 0)",
                Tuple.tuple()), "wallet balances equal their accounts");
        assertEquals(0, count("select count(*) from wallets where available_minor < 0 or reserved_minor < 0", Tuple.tuple()));
        assertEquals(0, count("select count(*) from wallets w where w.reserved_minor <> (select coalesce(sum(amount_minor), 0) "
                + "from holds h where h.wallet_id = w.id and h.status = 'pending')", Tuple.tuple()), "reserved equals pending holds");
        assertEquals(0, count("select count(*) from (select reference_id from journal where type in ('capture', 'release') "
                + "group by reference_id, type having count(*) > 1) twice", Tuple.tuple()), "no hold resolved twice");
    }

    private long count(String sql, Tuple args) {
        Row row = pool.preparedQuery(sql).execute(args).await().atMost(Duration.ofSeconds(30)).iterator().next();
        return row.getLong(0);
    }

    private static List<Response> race(List<Callable<Response>> calls, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Response> out = new ArrayList<>();
            for (Future<Response> f : pool.invokeAll(calls)) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }
}
